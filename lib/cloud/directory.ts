import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import { AppError } from "@/lib/errors";
import { appGraphClient } from "./credentials";
import { toProviderError } from "./providers/graph-errors";

/**
 * Reads the directory with the app's own identity (client credentials, `GroupMember.Read.All`
 * application permission). Used where a decision must rest on membership as it is now, not as it
 * was at sign-in: approvers are checked live before their decision counts.
 */
interface DirectoryObjectPage {
  value: Array<{ "@odata.type"?: string; id: string }>;
  "@odata.nextLink"?: string;
}

/**
 * Group ids from a transitiveMemberOf collection (`/me/...` or `/users/{id}/...`), all pages.
 * No OData cast to microsoft.graph.group: a cast needs Graph's advanced query mode.
 */
export async function transitiveGroupIds(client: Client, path: string): Promise<string[]> {
  const groupIds: string[] = [];
  let page = (await client.api(path).select("id").top(999).get()) as DirectoryObjectPage;
  for (;;) {
    for (const item of page.value)
      if (item["@odata.type"] === "#microsoft.graph.group") groupIds.push(item.id.toLowerCase());
    if (!page["@odata.nextLink"]) return groupIds;
    page = (await client.api(page["@odata.nextLink"]).get()) as DirectoryObjectPage;
  }
}

export async function liveGroupIds(entraObjectId: string): Promise<string[]> {
  try {
    return await transitiveGroupIds(appGraphClient(), `/users/${entraObjectId}/transitiveMemberOf`);
  } catch (error) {
    const failure = toProviderError(error, `read the groups of ${entraObjectId}`, "GroupMember.Read.All");
    // A missing permission is the tenant's to fix, not a moment's outage: say which one.
    const isMissingPermission = failure.kind === "forbidden" && failure.code === "Authorization_RequestDenied";
    throw new AppError("UPSTREAM", {
      message: `Graph transitiveMemberOf for ${entraObjectId} failed: ${failure.message}`,
      userMessage: isMissingPermission
        ? `Your current group membership could not be checked, so nothing was recorded. ${failure.message} Tell your AKS JIT administrator.`
        : "Your current group membership could not be checked with Microsoft Graph, so nothing was recorded. Try again in a minute.",
      cause: error,
    });
  }
}

/**
 * Invalidates the person's refresh tokens and session cookies in Entra ID (`revokeSignInSessions`,
 * User.RevokeSessions.All), so that new tokens need a fresh sign-in. Access tokens already issued
 * stay valid until they expire: that is why pages show an effective end.
 */
export async function revokeSignInSessions(entraObjectId: string): Promise<void> {
  try {
    await appGraphClient().api(`/users/${entraObjectId}/revokeSignInSessions`).post({});
  } catch (error) {
    throw toProviderError(error, `revoke the sign-in sessions of ${entraObjectId}`, "User.RevokeSessions.All");
  }
}

/** A person in the directory, as a people picker lists them. */
export interface DirectoryPerson {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

/** An OData string literal: a single quote is written twice (OData ABNF, SQUOTE-in-string). */
const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Up to `top` people whose display name or UPN starts with `prefix`, by display name. Graph's
 * `startswith` on displayName and userPrincipalName is a default (not advanced) query on /users, so
 * it needs no `ConsistencyLevel: eventual` or `$count` (user-list.md, "Optional query parameters";
 * aad-advanced-queries.md), and it is case-insensitive. User.Read.All, which the app already holds.
 */
export async function searchDirectoryPeople(prefix: string, top: number): Promise<DirectoryPerson[]> {
  const literal = odataString(prefix);
  try {
    const page = (await appGraphClient()
      .api("/users")
      .filter(`startswith(displayName,${literal}) or startswith(userPrincipalName,${literal})`)
      .select("id,displayName,userPrincipalName")
      .top(top)
      .get()) as { value: DirectoryPerson[] };
    return page.value.sort((a, b) => a.displayName.localeCompare(b.displayName));
  } catch (error) {
    const failure = toProviderError(error, `search the directory for "${prefix}"`, "User.Read.All");
    throw new AppError("UPSTREAM", {
      message: `Graph user search failed: ${failure.message}`,
      userMessage: "The directory could not be searched just now: type the person's full user name (UPN) instead.",
      cause: error,
    });
  }
}
