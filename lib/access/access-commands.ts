import type { CatalogCluster, CatalogRole } from "@/lib/config/catalog-schema";
import type { ClusterFacts, SshAccessMode } from "@/lib/posture/types";
import type { AccessCommand } from "@/lib/schemas/request-view";

export type { AccessCommand } from "@/lib/schemas/request-view";

type CommandCluster = Pick<CatalogCluster, "resourceGroup" | "clusterName" | "subscriptionId" | "nodeResourceGroup">;
/** What the commands depend on in a posture: null when the cluster was never checked. */
export type CommandFacts = Pick<ClusterFacts, "isPrivate" | "nodePools"> | null;

/**
 * The image Microsoft's "Connect to AKS cluster nodes" guide starts `kubectl debug node/…` with
 * (https://learn.microsoft.com/azure/aks/node-access#connect-with-kubectl-debug).
 */
export const NODE_DEBUG_IMAGE = "mcr.microsoft.com/azurelinux/busybox:1.36";

const NOT_CHECKED_NOTE =
  "This cluster's posture has not been checked yet: these commands assume a public API server and Entra ID SSH on the nodes.";

/**
 * What the holder types to use their access, for this cluster as its last posture check saw it
 * (issue 18): a public API server gets a kubeconfig signed in through the Azure CLI (kubelogin); a
 * private one gets `az aks command invoke`, which runs kubectl inside the cluster, since kubectl
 * itself needs a machine in the cluster's network. Node access (a grant on the node resource group)
 * follows the node pools' SSH mode. Dropping cached tokens comes last. Pure.
 */
export function accessCommands(
  cluster: CommandCluster,
  role: Pick<CatalogRole, "grants">,
  facts: CommandFacts,
): AccessCommand[] {
  const isNodeAccess = role.grants.some((grant) => "scope" in grant && grant.scope === "nodeResourceGroup");
  return [...clusterCommands(cluster, facts), ...(isNodeAccess ? nodeCommands(cluster, facts) : []), REMOVE_TOKENS];
}

/** The commands that reach the cluster's API (and the token advice): what a notification repeats. */
export function connectCommands(cluster: CommandCluster, facts: CommandFacts): AccessCommand[] {
  return [...clusterCommands(cluster, facts), REMOVE_TOKENS];
}

const REMOVE_TOKENS: AccessCommand = {
  label:
    "Drop cached tokens: before your first kubectl call (so it signs in with your new access) and when you are done",
  command: "kubelogin remove-tokens",
};

function getCredentials(cluster: CommandCluster): string {
  return `az aks get-credentials --subscription ${cluster.subscriptionId} --resource-group ${cluster.resourceGroup} --name ${cluster.clusterName} --overwrite-existing`;
}

function clusterCommands(cluster: CommandCluster, facts: CommandFacts): AccessCommand[] {
  if (!facts) {
    return [{ label: "Get the cluster's credentials", command: getCredentials(cluster), note: NOT_CHECKED_NOTE }];
  }
  if (facts.isPrivate) {
    // https://learn.microsoft.com/azure/aks/access-private-cluster: `az aks command invoke` runs the
    // command in a pod AKS starts in the cluster, through ARM, so it needs no network path to the API server.
    return [
      {
        label: "Run kubectl through AKS (the API server is private)",
        command: `az aks command invoke --subscription ${cluster.subscriptionId} --resource-group ${cluster.resourceGroup} --name ${cluster.clusterName} --command "kubectl get pods -A"`,
        note: "This cluster's API server is private: to run kubectl directly you need a machine in the cluster's network (a jump host, Azure Bastion or a VPN), and there az aks get-credentials then kubelogin convert-kubeconfig -l azurecli.",
      },
    ];
  }
  return [
    { label: "Get the cluster's credentials", command: getCredentials(cluster) },
    {
      // https://azure.github.io/kubelogin/concepts/login-modes/azurecli.html
      label: "Sign kubectl in with your Azure CLI session (Entra ID)",
      command: "kubelogin convert-kubeconfig -l azurecli",
    },
  ];
}

function listNodes(cluster: CommandCluster, facts: CommandFacts, note?: string): AccessCommand {
  const command = facts?.isPrivate
    ? `az aks command invoke --subscription ${cluster.subscriptionId} --resource-group ${cluster.resourceGroup} --name ${cluster.clusterName} --command "kubectl get nodes -o wide"`
    : "kubectl get nodes -o wide";
  return { label: "List the nodes", command, ...(note && { note }) };
}

const poolsIn = (facts: NonNullable<CommandFacts>, mode: SshAccessMode) =>
  facts.nodePools.filter((p) => p.sshAccess === mode).map((p) => p.name);

/**
 * Node access by the node pools' `securityProfile.sshAccess`
 * (https://learn.microsoft.com/azure/aks/manage-ssh-node-access): EntraId → `az ssh vm` with the
 * grant's VM login role; Disabled → `kubectl debug node/…`, which needs no SSH service but starts a
 * privileged pod, so the cluster's admin role; LocalUser → key-based SSH that JIT does not govern:
 * said to be a bypass, and no key is handed out.
 */
function nodeCommands(cluster: CommandCluster, facts: CommandFacts): AccessCommand[] {
  const azSshVm: AccessCommand = {
    label: "Sign in to a node with Entra ID (replace <node> with a name from the list)",
    command: `az ssh vm --subscription ${cluster.subscriptionId} --resource-group ${cluster.nodeResourceGroup} --name <node>`,
  };
  if (!facts) return [listNodes(cluster, facts), azSshVm];

  const entraId = poolsIn(facts, "EntraId");
  const unknown = poolsIn(facts, "unknown");
  const disabled = poolsIn(facts, "Disabled");
  const localUser = poolsIn(facts, "LocalUser");
  const bypass = localUser.length
    ? `Node pool${localUser.length > 1 ? "s" : ""} ${localUser.join(", ")} accept${localUser.length > 1 ? "" : "s"} SSH with local keys (sshAccess LocalUser): whoever holds the key gets in without a JIT grant. That is a bypass, shown to admins on the Posture page; AKS JIT hands out no keys.`
    : undefined;
  const inNetwork = facts.isPrivate
    ? " Run it from a machine in the cluster's network (a jump host, Azure Bastion or a VPN)."
    : "";

  const commands: AccessCommand[] = [listNodes(cluster, facts, bypass)];
  if (entraId.length || unknown.length) {
    commands.push({
      ...azSshVm,
      note: [
        `Nodes have private addresses only: az ssh vm needs a path into the cluster's network.`,
        unknown.length
          ? `The SSH mode of ${unknown.join(", ")} is not known: Entra ID sign-in may be refused there.`
          : "",
      ]
        .filter(Boolean)
        .join(" "),
    });
  }
  if (disabled.length || localUser.length) {
    commands.push({
      label: "Open a shell on a node through Kubernetes (replace <node> with a name from the list)",
      command: `kubectl debug node/<node> -it --image=${NODE_DEBUG_IMAGE}`,
      note: `It starts a privileged pod on the node, so it needs the cluster's admin role as well.${disabled.length ? ` SSH is disabled on ${disabled.join(", ")}.` : ""}${inNetwork}`,
    });
  }
  return commands;
}
