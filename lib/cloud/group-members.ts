import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import type { GroupMembership } from "@/lib/config/approver-coverage";
import { appGraphClient } from "./credentials";
import { toProviderError } from "./providers/graph-errors";

/**
 * Who is in each group now, as approver coverage counts them: the group's name and its enabled
 * users, nested groups expanded (`transitiveMembers`), read with the app's identity
 * (GroupMember.Read.All) as the doctor and the approval check do. A group that does not exist is a
 * finding, not a failure: Graph answers 404 Request_ResourceNotFound (group-get.md).
 */
interface MemberPage {
  value: Array<{ "@odata.type"?: string; id: string; accountEnabled?: boolean | null }>;
  "@odata.nextLink"?: string;
}

/** Groups read side by side, a few at a time: a catalog names tens of groups, Graph throttles per app. */
const AT_ONCE = 4;

export async function readGroupMemberships(
  groupIds: readonly string[],
  client: Client = appGraphClient(),
): Promise<Map<string, GroupMembership>> {
  const ids = [...new Set(groupIds.map((id) => id.toLowerCase()))];
  const result = new Map<string, GroupMembership>();
  for (let start = 0; start < ids.length; start += AT_ONCE) {
    const batch = ids.slice(start, start + AT_ONCE);
    const read = await Promise.all(batch.map((id) => readGroup(client, id)));
    batch.forEach((id, index) => result.set(id, read[index]!));
  }
  return result;
}

async function readGroup(client: Client, groupId: string): Promise<GroupMembership> {
  try {
    const group = (await client.api(`/groups/${groupId}`).select("id,displayName").get()) as {
      displayName?: string | null;
    };
    const memberIds: string[] = [];
    let page = (await client
      .api(`/groups/${groupId}/transitiveMembers`)
      .select("id,accountEnabled")
      .top(999)
      .get()) as MemberPage;
    for (;;) {
      for (const item of page.value) {
        // Only an explicit false disables: a missing value means Graph did not say.
        if (item["@odata.type"] === "#microsoft.graph.user" && item.accountEnabled !== false)
          memberIds.push(item.id.toLowerCase());
      }
      if (!page["@odata.nextLink"]) break;
      page = (await client.api(page["@odata.nextLink"]).get()) as MemberPage;
    }
    return { state: "found", ...(group.displayName && { displayName: group.displayName }), memberIds };
  } catch (error) {
    // By shape, not `instanceof GraphError`: a bundler may load the SDK twice (see graph-errors.ts).
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return { state: "not-found" };
    return {
      state: "unreadable",
      reason: toProviderError(error, `list the members of group ${groupId}`, "GroupMember.Read.All").message,
    };
  }
}
