/**
 * What a role assignment lets its holder do to a cluster and its nodes without a JIT grant (issue 18's
 * standing-access map), decided the way Azure RBAC evaluates role definitions. Pure: no I/O.
 *
 * Rules (MicrosoftDocs/azure-docs articles/role-based-access-control/role-definitions.md, "Understand
 * Azure role definitions": "Actions", "NotActions", "DataActions", "NotDataActions", "Wildcard permissions"):
 * - operation strings compare case-insensitively, and `*` matches any run of characters
 *   (`*`, `Microsoft.ContainerService/*`, `Microsoft.ContainerService/managedClusters/*`);
 * - a permission block allows an action one of its `actions` matches and none of its `notActions`
 *   matches; data actions likewise with `dataActions` and `notDataActions`;
 * - NotActions are not deny rules: a second block (or role) that allows the operation allows it;
 * - control-plane Actions never grant data actions: `*` in Actions (Owner, Contributor) gives no
 *   Kubernetes data access ("Owner ... doesn't grant data access", the DataActions section).
 * The Actions half is lib/cloud/arm-actions.ts, shared with the emulator's enforcement.
 */
import { actionMatches, permissionsAllow, type ArmPermission } from "@/lib/cloud/arm-actions";
import type { STANDING_ABILITIES } from "./types";

export type StandingAbility = (typeof STANDING_ABILITIES)[number];

/** Whether one permission block allows a data action. */
export function permissionAllowsData(permission: ArmPermission, dataAction: string): boolean {
  return (
    (permission.dataActions ?? []).some((p) => actionMatches(p, dataAction)) &&
    !(permission.notDataActions ?? []).some((p) => actionMatches(p, dataAction))
  );
}

export function permissionsAllowData(permissions: readonly ArmPermission[], dataAction: string): boolean {
  return permissions.some((permission) => permissionAllowsData(permission, dataAction));
}

/**
 * Kubernetes data actions only an admin holds: whoever may write role bindings may bind any role to
 * themselves. Azure Kubernetes Service RBAC Admin and RBAC Cluster Admin allow them
 * (`Microsoft.ContainerService/managedClusters/*`); RBAC Writer and Reader do not
 * (built-in-roles/containers.md; aks/manage-azure-rbac.md).
 */
export const KUBERNETES_ADMIN_DATA_ACTIONS = [
  "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write",
  "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/rolebindings/write",
] as const;

/** `az aks get-credentials --admin`: a static cluster-admin kubeconfig, usable only with local accounts on. */
export const ADMIN_CREDENTIAL_ACTION = "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";

/** `az aks command invoke` (built-in-roles/containers.md spells it `runcommand/action`; case does not matter). */
export const CLUSTER_RUN_COMMAND_ACTION = "Microsoft.ContainerService/managedClusters/runCommand/action";

/** Entra login to the node VMs (`az ssh vm`): Virtual Machine User / Administrator Login's data actions. */
export const NODE_LOGIN_DATA_ACTIONS = [
  "Microsoft.Compute/virtualMachines/login/action",
  "Microsoft.Compute/virtualMachines/loginAsAdmin/action",
] as const;

/**
 * Run command on the node pools' scale set instances: the action (POST .../virtualMachineScaleSets/{vmss}/
 * virtualMachines/{instanceId}/runCommand, REST "Virtual Machine Scale Set VMs - Run Command") and the
 * managed run command resource (PUT .../virtualMachines/{instanceId}/runCommands/{name}).
 */
export const NODE_RUN_COMMAND_ACTIONS = [
  "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action",
  "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommands/write",
] as const;

export interface AbilityContext {
  /** the assignment applies to the cluster (made at it or above it) */
  appliesToCluster: boolean;
  /** the assignment applies to the node VMs (made at the node resource group, above it or on its VMs) */
  appliesToNodes: boolean;
  /** properties.disableLocalAccounts: the admin credential is refused then */
  areLocalAccountsDisabled: boolean;
  /** aadProfile.enableAzureRBAC: Kubernetes data actions decide only then (Kubernetes RBAC otherwise) */
  isAzureRbac: boolean;
}

/** The standing abilities one role's permissions give at an assignment's scope, in STANDING_ABILITIES order. */
export function roleAbilities(permissions: readonly ArmPermission[], context: AbilityContext): StandingAbility[] {
  const abilities: StandingAbility[] = [];
  if (context.appliesToCluster) {
    const isAdmin = KUBERNETES_ADMIN_DATA_ACTIONS.some((a) => permissionsAllowData(permissions, a));
    if (context.isAzureRbac && isAdmin) abilities.push("clusterAdmin");
    if (!context.areLocalAccountsDisabled && permissionsAllow(permissions, ADMIN_CREDENTIAL_ACTION)) {
      abilities.push("adminCredentials");
    }
    if (permissionsAllow(permissions, CLUSTER_RUN_COMMAND_ACTION)) abilities.push("clusterRunCommand");
  }
  if (context.appliesToNodes) {
    if (NODE_LOGIN_DATA_ACTIONS.some((a) => permissionsAllowData(permissions, a))) abilities.push("nodeLogin");
    if (NODE_RUN_COMMAND_ACTIONS.some((a) => permissionsAllow(permissions, a))) abilities.push("nodeRunCommand");
  }
  return abilities;
}
