/**
 * The standing-access map from what was read (issue 18): role assignments with their abilities,
 * groups with their members, aadProfile.adminGroupObjectIDs, the grants our ledger holds and the
 * app's own identity. Pure: readStandingAccess (standing-access.ts) does the reads.
 */
import type { StandingAccess, StandingPrincipal } from "./types";
import type { StandingAbility } from "./role-abilities";

type Path = StandingPrincipal["paths"][number];
type ScopeLevel = Path["scopeLevel"];
type PrincipalType = StandingPrincipal["principalType"];

export interface ClusterScopes {
  clusterResourceId: string;
  nodeResourceGroupId: string;
}

/** An assignment that gives at least one ability, with its role resolved. */
export interface AbleAssignment {
  id: string;
  scope: string;
  roleDefinitionId: string;
  roleName: string;
  principalId: string;
  principalType: string;
  createdOn: string | null;
  abilities: StandingAbility[];
}

export interface Member {
  id: string;
  type: "User" | "ServicePrincipal";
  displayName: string | null;
  userPrincipalName: string | null;
}

export interface StandingInputs {
  scopes: ClusterScopes;
  assignments: AbleAssignment[];
  /** by lower-cased group id: the group's name and its transitive members */
  groups: Map<string, { displayName: string | null; members: Member[] }>;
  /** names of the principals assigned directly, by lower-cased id */
  names: Map<string, { displayName: string | null; userPrincipalName: string | null }>;
  /** aadProfile.adminGroupObjectIDs */
  adminGroupIds: string[];
  /** `${principalId}|${bindingKey}`, lower-cased, for each active grant in our ledger */
  heldGrants: ReadonlySet<string>;
  appPrincipalId: string | null;
}

const lower = (s: string) => s.toLowerCase();
const within = (scope: string, parent: string) =>
  lower(scope) === lower(parent) || lower(scope).startsWith(`${lower(parent)}/`);

/** Where an assignment's scope sits relative to the cluster: a resource group that is not the node one is the cluster's. */
export function scopeLevelOf(scope: string, scopes: ClusterScopes): ScopeLevel {
  if (within(scope, scopes.clusterResourceId)) return "cluster";
  if (within(scope, scopes.nodeResourceGroupId)) return "nodeResourceGroup";
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/i.test(scope)) return "resourceGroup";
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return "subscription";
  // A management group, or the root scope `/` (above the tenant root group).
  return "managementGroup";
}

/**
 * The ledger keys (lib/access/grant-ledger.ts bindingKey) of grants that would explain a path: a role
 * we assign directly (armRoleAssignment, armPim at that scope), or membership of the group we grant.
 */
function explainingKeys(principalId: string, path: Path): string[] {
  if (path.viaGroup) {
    return ["entraPimGroup", "entraGroup"].map((kind) => lower(`${principalId}|${kind}:${path.viaGroup!.id}`));
  }
  const guid = (path.roleDefinitionId ?? "").split("/").pop() ?? "";
  return ["armRoleAssignment", "armPim"].map((kind) => lower(`${principalId}|${kind}:${guid}:${path.scope}`));
}

function principalTypeOf(type: string): PrincipalType {
  return type === "User" || type === "Group" || type === "ServicePrincipal" ? type : "Unknown";
}

export function assembleStandingAccess(inputs: StandingInputs): StandingAccess {
  const byId = new Map<string, StandingPrincipal>();
  let explainedByGrants = 0;
  const add = (who: Omit<StandingPrincipal, "paths">, path: Path) => {
    if (explainingKeys(who.principalId, path).some((key) => inputs.heldGrants.has(key))) {
      explainedByGrants += 1;
      return;
    }
    const found = byId.get(who.principalId) ?? { ...who, paths: [] };
    found.paths.push(path);
    byId.set(who.principalId, found);
  };
  const viaMembers = (groupId: string, path: Omit<Path, "viaGroup">) => {
    const group = inputs.groups.get(lower(groupId));
    const viaGroup = { id: lower(groupId), displayName: group?.displayName ?? null };
    const members = group?.members ?? [];
    // An empty (or unreadable) group still opens the door to whoever is added to it: shown as the group.
    if (members.length === 0) {
      add({ principalId: lower(groupId), principalType: "Group", ...nameOf(viaGroup) }, { ...path, viaGroup: null });
    }
    for (const m of members) {
      add(
        {
          principalId: m.id,
          principalType: m.type,
          displayName: m.displayName,
          userPrincipalName: m.userPrincipalName,
        },
        { ...path, viaGroup },
      );
    }
  };
  for (const a of inputs.assignments) {
    const path: Omit<Path, "viaGroup"> = {
      kind: "roleAssignment",
      roleName: a.roleName,
      roleDefinitionId: a.roleDefinitionId,
      roleAssignmentId: a.id,
      scope: a.scope,
      scopeLevel: scopeLevelOf(a.scope, inputs.scopes),
      abilities: a.abilities,
      since: a.createdOn,
    };
    if (a.principalType === "Group") {
      viaMembers(a.principalId, path);
      continue;
    }
    const names = inputs.names.get(a.principalId) ?? { displayName: null, userPrincipalName: null };
    add(
      { principalId: a.principalId, principalType: principalTypeOf(a.principalType), ...names },
      { ...path, viaGroup: null },
    );
  }
  for (const groupId of inputs.adminGroupIds) {
    viaMembers(groupId, {
      kind: "adminGroup",
      roleName: null,
      roleDefinitionId: null,
      roleAssignmentId: null,
      scope: inputs.scopes.clusterResourceId,
      scopeLevel: "cluster",
      abilities: ["clusterAdmin"],
      since: null,
    });
  }
  const all = [...byId.values()].sort(
    (a, b) =>
      (a.displayName ?? a.principalId).localeCompare(b.displayName ?? b.principalId) ||
      a.principalId.localeCompare(b.principalId),
  );
  const isApp = (p: StandingPrincipal) => inputs.appPrincipalId !== null && p.principalId === inputs.appPrincipalId;
  return { principals: all.filter((p) => !isApp(p)), appIdentity: all.filter(isApp), explainedByGrants };
}

function nameOf(group: { displayName: string | null }) {
  return { displayName: group.displayName, userPrincipalName: null };
}
