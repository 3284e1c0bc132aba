import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { type CheckResult, describeFailure, fail, pass, type TenantReader } from "./check-result";

const CHECK = "AKS clusters";

/** A stable AKS api-version (Azure/azure-rest-api-specs specification/containerservice, stable/2025-10-01). */
const AKS_API_VERSION = "2025-10-01";

interface ManagedCluster {
  properties?: {
    disableLocalAccounts?: boolean;
    aadProfile?: { managed?: boolean; enableAzureRBAC?: boolean } | null;
  };
}

/**
 * What Microsoft's "Use PIM to control access to your AKS clusters" assumes of a cluster: Entra
 * sign-in (managed integration), Kubernetes authorization by Azure RBAC (so a role assignment is the
 * access), and no local accounts (or `--admin` credentials bypass every grant)
 * (MicrosoftDocs/azure-aks-docs articles/aks/manage-azure-rbac.md, manage-local-accounts-managed-azure-ad.md).
 */
const SETTINGS = [
  {
    label: "managed Entra ID integration",
    isSet: (c: ManagedCluster) => c.properties?.aadProfile?.managed === true,
    flag: "--enable-aad",
  },
  {
    label: "Azure RBAC for Kubernetes authorization",
    isSet: (c: ManagedCluster) => c.properties?.aadProfile?.enableAzureRBAC === true,
    flag: "--enable-azure-rbac",
  },
  {
    label: "local accounts disabled",
    isSet: (c: ManagedCluster) => c.properties?.disableLocalAccounts === true,
    flag: "--disable-local-accounts",
  },
] as const;

async function checkCluster(reader: TenantReader, cluster: CatalogCluster): Promise<CheckResult> {
  const read = await reader.arm<ManagedCluster>(`${cluster.resourceId}?api-version=${AKS_API_VERSION}`);
  const az = `az aks update -g ${cluster.resourceGroup} -n ${cluster.clusterName}`;
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
  const missing = SETTINGS.filter((setting) => !setting.isSet(read.value));
  if (missing.length === 0) return pass(CHECK, cluster.name, SETTINGS.map((s) => s.label).join(", "));
  return fail(
    CHECK,
    cluster.name,
    `missing: ${missing.map((s) => s.label).join(", ")}`,
    `\`${az} ${missing.map((s) => s.flag).join(" ")}\` (Terraform: deploy/terraform's AKS settings).`,
  );
}

/** Check 6: each catalog cluster's authentication and authorization settings (ManagedClusters_Get). */
export async function checkClusters(reader: TenantReader, clusters: readonly CatalogCluster[]): Promise<CheckResult[]> {
  return Promise.all(clusters.map((cluster) => checkCluster(reader, cluster)));
}
