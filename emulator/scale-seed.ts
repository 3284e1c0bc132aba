/* Many clusters, for the reconciler's benchmark (`npm run bench:reconcile`): N AKS clusters in the
 * demo subscription beside the two demo ones, the app's provisioner role on each (as the tenant seed
 * gives it on the demo clusters), and a little drift: a standing AKS RBAC Admin assignment that no
 * request made, on every 50th cluster. The emulator takes the count from EMULATOR_SCALE_CLUSTERS
 * (or startEmulator's `scaleClusters`); scripts/bench/scale-catalog.ts writes the matching catalog. */
import { PROVISIONER_ROLE } from "../lib/cloud/required-permissions";
import { DEMO_SUBSCRIPTION_ID, type SeedCluster } from "./arm-seed";

/** AKS RBAC Admin: the role the demo catalog's admin role grants on a cluster. */
export const AKS_RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";
/** Who holds the standing assignments nobody granted (a demo user). */
export const SCALE_DRIFT_PRINCIPAL = "aud01@contoso.com";
/** Every this-many-th cluster carries one standing assignment: 10 at 500 clusters. */
export const SCALE_DRIFT_EVERY = 50;

export function scaleClusters(count: number): SeedCluster[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `aks-scale-${String(index + 1).padStart(4, "0")}`;
    const resourceGroup = `rg-${name}`;
    return {
      subscriptionId: DEMO_SUBSCRIPTION_ID,
      resourceGroup,
      name,
      location: "westeurope",
      kubernetesVersion: "1.33.1",
      dnsPrefix: name,
      nodeResourceGroup: `MC_${resourceGroup}_${name}_westeurope`,
      tags: { environment: "scale" },
      agentPools: [
        {
          name: "system",
          mode: "System",
          count: 3,
          vmSize: "Standard_D4ds_v5",
          osSKU: "AzureLinux",
          availabilityZones: [],
        },
      ],
    };
  });
}

export const clusterResourceId = (c: SeedCluster) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
export const nodeResourceGroupId = (c: SeedCluster) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.nodeResourceGroup}`;

/** The permanent role assignments the scale seed makes, in the tenant seed's terms. */
export function scaleRoleAssignments(
  clusters: SeedCluster[],
  appPrincipal: string,
): Array<{ principal: string; role: string; scope: string }> {
  return clusters.flatMap((cluster, index) => [
    { principal: appPrincipal, role: PROVISIONER_ROLE.id, scope: clusterResourceId(cluster) },
    { principal: appPrincipal, role: PROVISIONER_ROLE.id, scope: nodeResourceGroupId(cluster) },
    ...(index % SCALE_DRIFT_EVERY === 0
      ? [{ principal: SCALE_DRIFT_PRINCIPAL, role: AKS_RBAC_ADMIN, scope: clusterResourceId(cluster) }]
      : []),
  ]);
}
