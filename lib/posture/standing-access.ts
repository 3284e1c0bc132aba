import "server-only";
import { readGrantTarget } from "@/lib/access/stored-json";
import { db } from "@/lib/db/client";
import {
  directoryNames,
  getRoleDefinition,
  groupMembers,
  listRoleAssignments,
  roleGuidOf,
  appObjectId,
  type ArmAssignmentFact,
  type DirectoryMember,
  type RoleDefinitionFact,
} from "@/lib/cloud/standing-reads";
import { roleAbilities } from "./role-abilities";
import { assembleStandingAccess, type AbleAssignment } from "./standing-map";
import type { ClusterFacts, StandingAccess } from "./types";

/**
 * Who can reach one catalog cluster's admin or its nodes without a JIT grant (issue 18, the
 * standing-access map): role assignments at and above the cluster (`atScope()`: its resource group,
 * the subscription, management groups) and at, above or below its node resource group, each role's
 * definition evaluated as Azure does (role-abilities.ts), groups expanded to their members through
 * Graph, and the members of aadProfile.adminGroupObjectIDs. What our own active grants explain is
 * counted, not listed; the app's own identity is listed apart. Reads only: nothing is audited.
 */

export interface StandingAccessCluster {
  resourceId: string;
  subscriptionId: string;
  nodeResourceGroup: string;
}

export type StandingFacts = Pick<ClusterFacts, "areLocalAccountsDisabled" | "isAzureRbac" | "adminGroupObjectIds">;

/** What one check run reads once for all its clusters: roles, groups, names, the ledger, the app's id. */
export interface StandingReadCache {
  roles: Map<string, Promise<RoleDefinitionFact>>;
  groups: Map<string, Promise<{ displayName: string | null; members: DirectoryMember[] }>>;
  names: Map<string, Promise<{ displayName: string | null; userPrincipalName: string | null }>>;
  heldGrants?: Promise<Set<string>>;
  appPrincipalId?: Promise<string | null>;
}

export const newStandingReadCache = (): StandingReadCache => ({
  roles: new Map(),
  groups: new Map(),
  names: new Map(),
});

function cached<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (!found) {
    found = read();
    map.set(key, found);
    // A failed read is not kept: the next cluster tries again.
    found.catch(() => map.delete(key));
  }
  return found;
}

/** `${principalId}|${bindingKey}` of every active grant in the ledger, lower-cased. */
async function readHeldGrants(): Promise<Set<string>> {
  const grants = await db.grant.findMany({
    where: { status: "active" },
    select: { id: true, bindingKey: true, target: true },
  });
  return new Set(grants.map((g) => `${readGrantTarget(g.target, g.id).principalId}|${g.bindingKey}`.toLowerCase()));
}

export async function readStandingAccess(
  cluster: StandingAccessCluster,
  facts: StandingFacts,
  cache: StandingReadCache = newStandingReadCache(),
): Promise<StandingAccess> {
  const scopes = {
    clusterResourceId: cluster.resourceId,
    nodeResourceGroupId: `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`,
  };
  // Below the node resource group too: a login role on one scale set reaches its nodes.
  const [atCluster, atNodes] = await Promise.all([
    listRoleAssignments(scopes.clusterResourceId, "atScope()"),
    listRoleAssignments(scopes.nodeResourceGroupId, undefined),
  ]);
  const reach = new Map<string, ArmAssignmentFact & { toCluster: boolean; toNodes: boolean }>();
  for (const a of atCluster) reach.set(a.id.toLowerCase(), { ...a, toCluster: true, toNodes: false });
  for (const a of atNodes) {
    const key = a.id.toLowerCase();
    reach.set(key, { ...a, toCluster: reach.get(key)?.toCluster ?? false, toNodes: true });
  }

  const appPrincipalId = await (cache.appPrincipalId ??= appObjectId());
  const guids = [...new Set([...reach.values()].map((a) => roleGuidOf(a.roleDefinitionId)))];
  const roles = new Map(
    await Promise.all(
      guids.map(async (guid) => {
        const role = await cached(cache.roles, guid, () => getRoleDefinition(scopes.clusterResourceId, guid));
        return [guid, role] as const;
      }),
    ),
  );
  const able: AbleAssignment[] = [];
  for (const a of reach.values()) {
    const role = roles.get(roleGuidOf(a.roleDefinitionId))!;
    const abilities = roleAbilities(role.permissions, {
      appliesToCluster: a.toCluster,
      appliesToNodes: a.toNodes,
      areLocalAccountsDisabled: facts.areLocalAccountsDisabled,
      isAzureRbac: facts.isAzureRbac,
    });
    // The app's own roles are shown whatever they allow: it may assign roles, so it is a way in of its own.
    if (abilities.length > 0 || a.principalId === appPrincipalId) {
      able.push({ ...a, roleName: role.roleName, abilities });
    }
  }

  const groupIds = [
    ...new Set([
      ...able.filter((a) => a.principalType === "Group").map((a) => a.principalId),
      ...facts.adminGroupObjectIds.map((id) => id.toLowerCase()),
    ]),
  ];
  const direct = able.filter((a) => a.principalType === "User" || a.principalType === "ServicePrincipal");
  const [groups, names, heldGrants] = await Promise.all([
    Promise.all(groupIds.map((id) => cached(cache.groups, id, () => readGroup(id)).then((g) => [id, g] as const))),
    Promise.all(
      direct.map((a) =>
        cached(cache.names, a.principalId, () => directoryNames(a.principalId, a.principalType as "User")).then(
          (n) => [a.principalId, n] as const,
        ),
      ),
    ),
    (cache.heldGrants ??= readHeldGrants()),
  ]);
  return assembleStandingAccess({
    scopes,
    assignments: able,
    groups: new Map(groups),
    names: new Map(names),
    adminGroupIds: facts.adminGroupObjectIds,
    heldGrants,
    appPrincipalId,
  });
}

async function readGroup(groupId: string) {
  const [{ displayName }, members] = await Promise.all([directoryNames(groupId, "Group"), groupMembers(groupId)]);
  return { displayName, members };
}
