import "server-only";
import type { ArmPermission } from "./arm-actions";
import { BUILT_IN_ROLE_NAMES } from "./built-in-roles";
import { env } from "@/lib/config/env";
import { appCredential, appGraphClient, armAuthorizationClient } from "./credentials";
import { toProviderError as armError } from "./providers/arm-errors";
import { toProviderError as graphError } from "./providers/graph-errors";

/**
 * The reads behind the standing-access map (issue 18), with the app's own identity: role assignments
 * that reach a cluster or its nodes, their role definitions, group members and display names. They
 * change nothing, so they are not audit rows; the caller counts them (call-recorder) if it wants.
 */

export interface ArmAssignmentFact {
  id: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  createdOn: string | null;
}

export interface RoleDefinitionFact {
  roleName: string;
  permissions: ArmPermission[];
}

export interface DirectoryMember {
  id: string;
  type: "User" | "ServicePrincipal";
  displayName: string | null;
  userPrincipalName: string | null;
}

const withoutSlash = (scope: string) => scope.replace(/^\/+/, "");
const subscriptionOf = (scope: string) => /^\/?subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? "";
export const roleGuidOf = (roleDefinitionId: string) => roleDefinitionId.split("/").pop()!.toLowerCase();

/**
 * Role assignments listed at `scope`. `atScope()`: those at the scope and above it (resource group,
 * subscription, management groups, root); without a filter, those below it too (Role Assignments - List
 * For Scope, api-version 2022-04-01: "Use $filter=atScope() to return all role assignments at or above
 * the scope"; azure-contracts.md B.2).
 */
export async function listRoleAssignments(scope: string, filter: "atScope()" | undefined) {
  const client = armAuthorizationClient(subscriptionOf(scope));
  const found: ArmAssignmentFact[] = [];
  try {
    for await (const a of client.roleAssignments.listForScope(withoutSlash(scope), filter ? { filter } : {})) {
      if (!a.id || !a.scope || !a.roleDefinitionId || !a.principalId) continue;
      found.push({
        id: a.id,
        scope: a.scope,
        roleDefinitionId: a.roleDefinitionId,
        principalId: a.principalId.toLowerCase(),
        principalType: a.principalType ?? "Unknown",
        createdOn: a.createdOn ? new Date(a.createdOn).toISOString() : null,
      });
    }
  } catch (error) {
    throw armError(error, `list the role assignments that reach ${scope}`);
  }
  return found;
}

/**
 * A role definition by GUID, read at `scope` (Role Definitions - Get, `/{scope}/providers/Microsoft.Authorization/
 * roleDefinitions/{id}`): at a scope the app holds a role on, since it needs roleDefinitions/read there
 * and holds nothing at the subscription. Built-in and custom roles assignable there both answer.
 */
export async function getRoleDefinition(scope: string, roleGuid: string): Promise<RoleDefinitionFact> {
  try {
    const role = await armAuthorizationClient(subscriptionOf(scope)).roleDefinitions.get(withoutSlash(scope), roleGuid);
    return {
      roleName: role.roleName ?? BUILT_IN_ROLE_NAMES[roleGuid] ?? roleGuid,
      permissions: (role.permissions ?? []).map((p) => ({
        actions: p.actions ?? [],
        notActions: p.notActions ?? [],
        dataActions: p.dataActions ?? [],
        notDataActions: p.notDataActions ?? [],
      })),
    };
  } catch (error) {
    throw armError(error, `read the role definition ${roleGuid}`);
  }
}

interface GraphObject {
  "@odata.type"?: string;
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
}
interface GraphPage {
  value: GraphObject[];
  "@odata.nextLink"?: string;
}

/** Users and service principals in a group, directly or through nested groups (group-list-transitivemembers.md). */
export async function groupMembers(groupId: string): Promise<DirectoryMember[]> {
  const client = appGraphClient();
  const members: DirectoryMember[] = [];
  try {
    let page = (await client
      .api(`/groups/${groupId}/transitiveMembers`)
      .select("id,displayName,userPrincipalName")
      .top(999)
      .get()) as GraphPage;
    for (;;) {
      for (const item of page.value) {
        const type = item["@odata.type"];
        if (type !== "#microsoft.graph.user" && type !== "#microsoft.graph.servicePrincipal") continue;
        members.push({
          id: item.id.toLowerCase(),
          type: type === "#microsoft.graph.user" ? "User" : "ServicePrincipal",
          displayName: item.displayName ?? null,
          userPrincipalName: item.userPrincipalName ?? null,
        });
      }
      if (!page["@odata.nextLink"]) return members;
      page = (await client.api(page["@odata.nextLink"]).get()) as GraphPage;
    }
  } catch (error) {
    // A group Entra no longer has (an adminGroupObjectIDs entry left behind) has no members to list.
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return [];
    throw graphError(error, `list the members of group ${groupId}`, "GroupMember.Read.All");
  }
}

/** A user's or service principal's names; nulls when the directory no longer has it. */
export async function directoryNames(
  id: string,
  type: "User" | "ServicePrincipal" | "Group",
): Promise<{ displayName: string | null; userPrincipalName: string | null }> {
  const path = { User: "users", ServicePrincipal: "servicePrincipals", Group: "groups" }[type];
  const select = type === "User" ? "id,displayName,userPrincipalName" : "id,displayName";
  try {
    const found = (await appGraphClient().api(`/${path}/${id}`).select(select).get()) as GraphObject;
    return { displayName: found.displayName ?? null, userPrincipalName: found.userPrincipalName ?? null };
  } catch (error) {
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    // Naming a service principal needs Application.Read.All, which only the doctor requires: without
    // it the map still lists the principal, by id.
    if (status === 404 || (status === 403 && type === "ServicePrincipal")) {
      return { displayName: null, userPrincipalName: null };
    }
    const permission = type === "User" ? "User.Read.All" : type === "Group" ? "GroupMember.Read.All" : undefined;
    throw graphError(error, `read the ${type} ${id}`, permission);
  }
}

/**
 * The object id the app signs in to ARM as: the `oid` claim of its own ARM token ("The immutable
 * identifier for the requestor ... the service principal", Entra access token claims reference), the
 * principal id of its role assignments. No Graph permission needed; the credential caches the token.
 */
export async function appObjectId(): Promise<string | null> {
  const token = await appCredential().getToken(env.ARM_APP_SCOPE);
  const payload = token?.token.split(".")[1];
  if (!payload) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: unknown };
  return typeof claims.oid === "string" ? claims.oid.toLowerCase() : null;
}
