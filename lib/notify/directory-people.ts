import "server-only";
import { appGraphClient } from "@/lib/cloud/credentials";
import { toProviderError } from "@/lib/cloud/providers/graph-errors";
import type { DirectoryPerson } from "./recipients";

/**
 * People as Entra ID knows them now, read with the app's identity (GroupMember.Read.All,
 * User.Read.All): the members of a group, nested groups included, and one user. `accountEnabled`
 * is not a default property, so it is always selected.
 */
const SELECT = "id,accountEnabled,mail,userPrincipalName,displayName";

interface GraphUser {
  "@odata.type"?: string;
  id: string;
  accountEnabled?: boolean | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
}

interface Page {
  value: GraphUser[];
  "@odata.nextLink"?: string;
}

function toPerson(user: GraphUser): DirectoryPerson {
  const upn = user.userPrincipalName ?? "";
  const address = user.mail || (upn.includes("@") ? upn : null);
  return {
    objectId: user.id.toLowerCase(),
    userPrincipalName: upn,
    displayName: user.displayName ?? upn,
    address,
    // Only an explicit false disables: a missing value means Graph did not say.
    isEnabled: user.accountEnabled !== false,
  };
}

/** The users in a group, directly or through nested groups (`transitiveMembers`), all pages. */
export async function usersInGroup(groupId: string): Promise<DirectoryPerson[]> {
  const client = appGraphClient();
  const people: DirectoryPerson[] = [];
  try {
    let page = (await client.api(`/groups/${groupId}/transitiveMembers`).select(SELECT).top(999).get()) as Page;
    for (;;) {
      for (const item of page.value) if (item["@odata.type"] === "#microsoft.graph.user") people.push(toPerson(item));
      if (!page["@odata.nextLink"]) return people;
      page = (await client.api(page["@odata.nextLink"]).get()) as Page;
    }
  } catch (error) {
    throw toProviderError(error, `list the members of group ${groupId}`, "GroupMember.Read.All");
  }
}

export async function usersInGroups(groupIds: readonly string[]): Promise<DirectoryPerson[]> {
  const all = new Map<string, DirectoryPerson>();
  for (const groupId of groupIds) for (const person of await usersInGroup(groupId)) all.set(person.objectId, person);
  return [...all.values()];
}

/** One user by object id; null when Entra no longer has them. */
export async function userById(objectId: string): Promise<DirectoryPerson | null> {
  try {
    return toPerson((await appGraphClient().api(`/users/${objectId}`).select(SELECT).get()) as GraphUser);
  } catch (error) {
    // By shape, not `instanceof GraphError`: a bundler may load the SDK twice (see graph-errors.ts).
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return null;
    throw toProviderError(error, `read the user ${objectId}`, "User.Read.All");
  }
}

/** A group's display name, for people reading who may approve; the id when Entra no longer has it. */
export async function groupDisplayName(groupId: string): Promise<string> {
  try {
    const group = (await appGraphClient().api(`/groups/${groupId}`).select("id,displayName").get()) as {
      displayName?: string | null;
    };
    return group.displayName || groupId;
  } catch (error) {
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return groupId;
    throw toProviderError(error, `read the group ${groupId}`, "GroupMember.Read.All");
  }
}
