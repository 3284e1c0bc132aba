/**
 * What a configuration needs from its tenant, worked out from the access catalog and the settings
 * alone: which Graph permissions, which ARM actions on which scopes, which groups must exist, which
 * groups must be PIM-enabled with whom eligible, and what the app registration must carry. Pure:
 * the doctor's checks then compare it with what the tenant says.
 */
import type { Catalog, CatalogCluster, Grant } from "@/lib/config/catalog-schema";
import {
  ARM_ACTIONS,
  GRAPH_PERMISSIONS,
  type GraphPermissionNeed,
  type GrantKind,
  REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS,
} from "@/lib/cloud/required-permissions";

export interface DoctorSettings {
  appUrl: string;
  notifyMailSender?: string;
  approverGroupIds: readonly string[];
  auditorGroupIds: readonly string[];
  adminGroupIds: readonly string[];
}

export interface ArmScopeNeed {
  /** the ARM scope, e.g. a cluster's resource id or /subscriptions/{id}/resourceGroups/{node resource group} */
  scope: string;
  /** how people know it: "cluster aks-prod-weu", "node resource group MC_… of aks-prod-weu" */
  label: string;
  kinds: Array<"armPim" | "armRoleAssignment">;
  actions: string[];
}

export interface GroupNeed {
  id: string;
  /** where the configuration names it: "APPROVER_GROUP_IDS", "aks-prod-weu/admin grant" … */
  usedBy: string[];
}

export interface PimTargetNeed {
  groupId: string;
  /** the requester (eligible) groups of the roles that grant it */
  eligibleGroupIds: string[];
  /** cluster/role names that grant it */
  roles: string[];
}

export interface DoctorNeeds {
  graphPermissions: GraphPermissionNeed[];
  armScopes: ArmScopeNeed[];
  groups: GroupNeed[];
  pimTargets: PimTargetNeed[];
  /** ID token optional claims the app registration must emit (step-up) */
  idTokenClaims: string[];
  webRedirectUris: string[];
  spaRedirectUris: string[];
  clusters: CatalogCluster[];
}

const roleLabel = (cluster: CatalogCluster, roleName: string) => `${cluster.name}/${roleName}`;

export function grantKindsOf(catalog: Catalog): Set<GrantKind> {
  return new Set(catalog.clusters.flatMap((c) => c.roles.flatMap((r) => r.grants.map((g) => g.kind))));
}

export function graphPermissionsNeeded(catalog: Catalog, settings: DoctorSettings): GraphPermissionNeed[] {
  const kinds = grantKindsOf(catalog);
  const roles = catalog.clusters.flatMap((c) => c.roles);
  const isNeeded = ({ when }: GraphPermissionNeed) => {
    switch (when) {
      case "always":
      case "doctor":
        return true;
      case "mail":
        return settings.notifyMailSender !== undefined;
      case "endSessions":
        return roles.some((role) => role.policy.isSessionRevokedOnEnd);
      default:
        return kinds.has(when);
    }
  };
  return GRAPH_PERMISSIONS.filter(isNeeded);
}

function armScopeOf(cluster: CatalogCluster, grant: Extract<Grant, { scope: string }>) {
  return grant.scope === "cluster"
    ? { scope: cluster.resourceId, label: `cluster ${cluster.name}` }
    : {
        scope: `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`,
        label: `node resource group ${cluster.nodeResourceGroup} (${cluster.name})`,
      };
}

export function armScopesNeeded(catalog: Catalog): ArmScopeNeed[] {
  const byScope = new Map<string, ArmScopeNeed>();
  for (const cluster of catalog.clusters) {
    for (const grant of cluster.roles.flatMap((role) => role.grants)) {
      if (grant.kind !== "armPim" && grant.kind !== "armRoleAssignment") continue;
      const { scope, label } = armScopeOf(cluster, grant);
      const need = byScope.get(scope.toLowerCase()) ?? { scope, label, kinds: [], actions: [] };
      if (!need.kinds.includes(grant.kind)) need.kinds.push(grant.kind);
      need.actions = [...new Set([...need.actions, ...ARM_ACTIONS[grant.kind]])];
      byScope.set(scope.toLowerCase(), need);
    }
  }
  return [...byScope.values()];
}

export function groupsNeeded(catalog: Catalog, settings: DoctorSettings): GroupNeed[] {
  const byId = new Map<string, GroupNeed>();
  const add = (id: string, usedBy: string) => {
    const need = byId.get(id) ?? { id, usedBy: [] };
    if (!need.usedBy.includes(usedBy)) need.usedBy.push(usedBy);
    byId.set(id, need);
  };
  for (const id of settings.approverGroupIds) add(id, "APPROVER_GROUP_IDS");
  for (const id of settings.auditorGroupIds) add(id, "AUDITOR_GROUP_IDS");
  for (const id of settings.adminGroupIds) add(id, "ADMIN_GROUP_IDS");
  for (const cluster of catalog.clusters) {
    for (const role of cluster.roles) {
      const label = roleLabel(cluster, role.name);
      for (const grant of role.grants) if ("groupId" in grant) add(grant.groupId, `${label} grant (${grant.kind})`);
      for (const id of role.policy.eligibleGroupIds) add(id, `${label} eligibleGroups`);
      for (const id of role.policy.approverGroupIds) add(id, `${label} approverGroups`);
      for (const id of role.notify.escalation?.approverGroupIds ?? []) add(id, `${label} notify.escalation`);
    }
  }
  return [...byId.values()];
}

export function pimTargetsNeeded(catalog: Catalog): PimTargetNeed[] {
  const byGroup = new Map<string, PimTargetNeed>();
  for (const cluster of catalog.clusters) {
    for (const role of cluster.roles) {
      for (const grant of role.grants) {
        if (grant.kind !== "entraPimGroup") continue;
        const need = byGroup.get(grant.groupId) ?? { groupId: grant.groupId, eligibleGroupIds: [], roles: [] };
        need.eligibleGroupIds = [...new Set([...need.eligibleGroupIds, ...role.policy.eligibleGroupIds])];
        need.roles.push(roleLabel(cluster, role.name));
        byGroup.set(grant.groupId, need);
      }
    }
  }
  return [...byGroup.values()];
}

/** `auth_time` for any step-up, `acrs` when a role names an authentication context. */
export function idTokenClaimsNeeded(catalog: Catalog): string[] {
  const stepUps = catalog.clusters.flatMap((c) => c.roles.flatMap((r) => (r.policy.stepUp ? [r.policy.stepUp] : [])));
  if (stepUps.length === 0) return [];
  const isContextUsed = stepUps.some((stepUp) => stepUp.authenticationContext !== undefined);
  return REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS.filter((claim) => claim !== "acrs" || isContextUsed);
}

export function doctorNeeds(catalog: Catalog, settings: DoctorSettings): DoctorNeeds {
  const idTokenClaims = idTokenClaimsNeeded(catalog);
  return {
    graphPermissions: graphPermissionsNeeded(catalog, settings),
    armScopes: armScopesNeeded(catalog),
    groups: groupsNeeded(catalog, settings),
    pimTargets: pimTargetsNeeded(catalog),
    idTokenClaims,
    webRedirectUris: [`${settings.appUrl}/auth/callback`, `${settings.appUrl}/signed-out`],
    // The step-up popup redeems its code in the browser (README, "Step-up").
    spaRedirectUris: idTokenClaims.length > 0 ? [`${settings.appUrl}/auth/popup`] : [],
    clusters: catalog.clusters,
  };
}
