import "server-only";
import { AppError } from "@/lib/errors";
import { transitiveGroupIds } from "@/lib/cloud/directory";
import { graphClientFor } from "@/lib/cloud/graph-client";

interface GroupClaims {
  groups?: unknown;
  _claim_names?: { groups?: unknown };
  hasgroups?: unknown;
}

/**
 * Entra puts group ids in the token's `groups` claim, unless the user is in more groups than fit
 * (200 in a JWT): then the claim is replaced by `_claim_names.groups` (or `hasgroups`) and the
 * app must ask Graph. We ask for transitive membership, which also counts nested groups.
 */
export function hasGroupsOverage(claims: GroupClaims) {
  return Boolean(claims._claim_names?.groups) || claims.hasgroups === true || claims.hasgroups === "true";
}

export async function groupIdsFromSignIn(
  claims: GroupClaims,
  accessToken: string,
): Promise<{ groupIds: string[]; source: "token" | "graph" }> {
  if (!hasGroupsOverage(claims)) {
    const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === "string") : [];
    return { groupIds: groups.map((g) => g.toLowerCase()), source: "token" };
  }
  let groupIds: string[];
  try {
    groupIds = await transitiveGroupIds(graphClientFor(accessToken), "/me/transitiveMemberOf");
  } catch (error) {
    throw new AppError("UPSTREAM", {
      message: `Graph transitiveMemberOf failed during sign-in: ${String(error)}`,
      userMessage:
        "You belong to too many groups to list in your sign-in token, and Microsoft Graph could not be asked for them. Try again in a minute; if it keeps failing, an admin should check that the app registration has the User.Read permission.",
      cause: error,
    });
  }
  return { groupIds, source: "graph" };
}
