import "server-only";
import type {
  AccessProvider,
  Binding,
  CurrentAssignment,
  GrantState,
  GrantTarget,
  ProviderResult,
} from "@/lib/cloud/access-provider";
import { appGraphClient } from "@/lib/cloud/credentials";
import { transitiveGroupIds } from "@/lib/cloud/directory";
import { env } from "@/lib/config/env";
import { toProviderError } from "./graph-errors";

/**
 * `entraGroup` grants: plain membership of an Entra group (`members/$ref`), for tenants without
 * Entra ID P2. Entra never ends it, so every result says enforcedEndAt null: our removal job ends it.
 * Errors become ProviderError; nothing here retries (the Graph client and the job layer do).
 */

function groupIdOf(target: Binding) {
  if (target.grant.kind !== "entraGroup") {
    throw new Error(`the entraGroup provider was given a ${target.grant.kind} grant`);
  }
  return target.grant.groupId;
}

async function apply(target: GrantTarget): Promise<ProviderResult> {
  const groupId = groupIdOf(target);
  try {
    await appGraphClient()
      .api(`/groups/${groupId}/members/$ref`)
      .post({ "@odata.id": `${env.GRAPH_BASE_URL}/v1.0/directoryObjects/${target.principalId}` });
  } catch (error) {
    const failure = toProviderError(
      error,
      `make ${target.principalId} a member of group ${groupId}`,
      "GroupMember.ReadWrite.All",
    );
    // Graph answers an existing member with a 400 (contract A.7), which graph-errors sorts as a conflict.
    if (failure.kind !== "conflict") throw failure;
  }
  return { enforcedEndAt: null };
}

/** Plain membership has no end at the service: the new end only moves our removal job. */
async function extend(target: GrantTarget): Promise<ProviderResult> {
  groupIdOf(target);
  return { enforcedEndAt: null };
}

async function remove(target: GrantTarget): Promise<ProviderResult> {
  const groupId = groupIdOf(target);
  try {
    await appGraphClient().api(`/groups/${groupId}/members/${target.principalId}/$ref`).delete();
  } catch (error) {
    const failure = toProviderError(
      error,
      `remove ${target.principalId} from group ${groupId}`,
      "GroupMember.ReadWrite.All",
    );
    // Not a member (any more): there is nothing left to remove.
    if (failure.kind !== "not_found") throw failure;
  }
  return { enforcedEndAt: null };
}

/**
 * Whether the person is in the group now, through transitiveMemberOf: this also counts nested
 * groups and active PIM assignments, so it answers "has the access", not "holds our membership".
 */
async function read(target: GrantTarget): Promise<GrantState> {
  const groupId = groupIdOf(target);
  let groupIds: string[];
  try {
    groupIds = await transitiveGroupIds(appGraphClient(), `/users/${target.principalId}/transitiveMemberOf`);
  } catch (error) {
    throw toProviderError(error, `read the groups of ${target.principalId}`, "GroupMember.Read.All");
  }
  return groupIds.includes(groupId.toLowerCase()) ? { isActive: true, endAt: null } : { isActive: false };
}

interface MemberPage {
  value: Array<{ id: string }>;
  "@odata.nextLink"?: string;
}

/**
 * The group's direct members (`/groups/{id}/members` is not transitive), none with an end. A nested
 * group is listed under its own id, not expanded: the group is what holds the membership. Members that
 * an active PIM assignment makes are listed too, as Graph counts them among the members (contract A.7).
 */
async function list(binding: Binding): Promise<CurrentAssignment[]> {
  const groupId = groupIdOf(binding);
  const client = appGraphClient();
  const members: CurrentAssignment[] = [];
  try {
    let page = (await client.api(`/groups/${groupId}/members`).select("id").top(999).get()) as MemberPage;
    for (;;) {
      members.push(...page.value.map(({ id }) => ({ principalId: id, endAt: null })));
      if (!page["@odata.nextLink"]) break;
      page = (await client.api(page["@odata.nextLink"]).get()) as MemberPage;
    }
  } catch (error) {
    throw toProviderError(error, `list the members of group ${groupId}`, "GroupMember.Read.All");
  }
  return members;
}

export const entraGroupProvider: AccessProvider = { kind: "entraGroup", apply, extend, remove, read, list };
