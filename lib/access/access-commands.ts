import type { CatalogCluster, CatalogRole } from "@/lib/config/catalog-schema";
import type { AccessCommand } from "@/lib/schemas/request-view";

export type { AccessCommand } from "@/lib/schemas/request-view";

/**
 * What the holder types to use their access: the kubeconfig for the cluster (Entra ID sign-in
 * through kubelogin), a clean token cache so the new group membership is picked up, and for node
 * access (a grant on the node resource group) the Entra ID SSH login to a node VM. Pure: from the catalog's cluster and role.
 */
export function accessCommands(
  cluster: Pick<CatalogCluster, "resourceGroup" | "clusterName" | "subscriptionId" | "nodeResourceGroup">,
  role: Pick<CatalogRole, "grants">,
): AccessCommand[] {
  const commands: AccessCommand[] = [
    {
      label: "Get the cluster's credentials",
      command: `az aks get-credentials --subscription ${cluster.subscriptionId} --resource-group ${cluster.resourceGroup} --name ${cluster.clusterName} --overwrite-existing`,
    },
    {
      label: "Drop cached tokens, so the next kubectl call signs in with your new access",
      command: "kubelogin remove-tokens",
    },
  ];
  const isNodeAccess = role.grants.some((grant) => "scope" in grant && grant.scope === "nodeResourceGroup");
  if (isNodeAccess) {
    commands.push(
      { label: "List the nodes", command: "kubectl get nodes -o wide" },
      {
        label: "Sign in to a node with Entra ID (replace <node> with a name from the list)",
        command: `az ssh vm --subscription ${cluster.subscriptionId} --resource-group ${cluster.nodeResourceGroup} --name <node>`,
      },
    );
  }
  return commands;
}
