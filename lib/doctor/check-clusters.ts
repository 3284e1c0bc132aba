import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { clusterFactsFromArm, type ArmManagedCluster } from "@/lib/posture/arm-facts";
import { clusterUpdate, ENTRA_SETTINGS } from "@/lib/posture/findings";
import { type CheckResult, describeFailure, fail, pass, type TenantReader } from "./check-result";

const CHECK = "AKS clusters";

/** A stable AKS api-version (Azure/azure-rest-api-specs specification/containerservice, stable/2025-10-01). */
const AKS_API_VERSION = "2025-10-01";

async function checkCluster(reader: TenantReader, cluster: CatalogCluster): Promise<CheckResult> {
  const read = await reader.arm<ArmManagedCluster>(`${cluster.resourceId}?api-version=${AKS_API_VERSION}`);
  if (!read.ok) {
    return fail(
      CHECK,
      cluster.name,
      `cannot read the cluster: ${describeFailure(read)}`,
      read.status === 404
        ? `Check the cluster's resourceId in the catalog (CATALOG_PATH): \`az aks show -g <rg> -n <cluster> --query id -o tsv\`.`
        : `Give the app Microsoft.ContainerService/managedClusters/read on the cluster (the "AKS JIT Access Provisioner" role includes it; see Azure role assignments above).`,
    );
  }
  // The same rule as the posture check's findings (lib/posture/findings.ts), one command for all of them.
  const facts = clusterFactsFromArm(read.value);
  const missing = ENTRA_SETTINGS.filter((setting) => !setting.isSet(facts));
  if (missing.length === 0) return pass(CHECK, cluster.name, ENTRA_SETTINGS.map((s) => s.label).join(", "));
  return fail(
    CHECK,
    cluster.name,
    `missing: ${missing.map((s) => s.label).join(", ")}`,
    `\`${clusterUpdate(
      cluster,
      missing.map((s) => s.flag),
    )}\` (Terraform: deploy/terraform's AKS settings).`,
  );
}

/** Check 6: each catalog cluster's authentication and authorization settings (ManagedClusters_Get). */
export async function checkClusters(reader: TenantReader, clusters: readonly CatalogCluster[]): Promise<CheckResult[]> {
  return Promise.all(clusters.map((cluster) => checkCluster(reader, cluster)));
}
