import "server-only";
import type { AccessProvider, GrantState, GrantTarget, ProviderResult } from "@/lib/cloud/access-provider";
import { appGraphClient } from "@/lib/cloud/credentials";
import { transitiveGroupIds } from "@/lib/cloud/directory";
import { env } from "@/lib/config/env";
import { toProviderError } from "./graph-errors";

/**
 * `entraGroup` grants: plain membership of an Entra group (`members/$ref`), for tenants without
 * Entra ID P2. Entra never ends it, so every result says enforcedEndAt null: our removal job ends it.
 * Errors become ProviderError; nothing here retries (the Graph client and the job layer do).
 */

function groupIdOf(target: GrantTarget) {
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
    const failure = toProviderError(error, `make ${target.principalId} a member of group ${groupId}`);
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
    const failure = toProviderError(error, `remove ${target.principalId} from group ${groupId}`);
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
    throw toProviderError(error, `read the groups of ${target.principalId}`);
  }
  return groupIds.includes(groupId.toLowerCase()) ? { isActive: true, endAt: null } : { isActive: false };
}

export const entraGroupProvider: AccessProvider = { kind: "entraGroup", apply, extend, remove, read };
