import "server-only";
import { createHash } from "node:crypto";
import {
  type AccessProvider,
  type Binding,
  type CurrentAssignment,
  type GrantTarget,
  ProviderError,
  type ProviderResult,
  scopeOf,
} from "@/lib/cloud/access-provider";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { describeArmGrant, toProviderError } from "./arm-errors";

/**
 * `armRoleAssignment` grants: a plain Azure role assignment (roleAssignments, api 2022-04-01) that
 * Azure never ends on its own; our job deletes it at the end. For tenants without Entra ID P2.
 *
 * The assignment's name is derived from (scope, role, person), so applying twice addresses the same
 * assignment (ARM answers 200) and removal deletes only the assignment AKS JIT made, never a standing
 * one someone else gave the same person.
 */
export const armRoleAssignmentProvider: AccessProvider = {
  kind: "armRoleAssignment",

  async apply(target, window) {
    const arm = armTarget(target);
    const name = assignmentName(arm, target.principalId);
    try {
      const created = await arm.client.roleAssignments.create(arm.scope, name, {
        roleDefinitionId: arm.roleDefinitionId,
        principalId: target.principalId,
        // Stated, so that ARM does not have to look the principal up (and fail on replication delay).
        principalType: "User",
        description: `AKS JIT request ${window.requestId}, until ${window.endAt.toISOString()}`,
      });
      return { providerRequestId: created.id ?? arm.assignmentId(name), enforcedEndAt: null };
    } catch (error) {
      const failure = toProviderError(error, `assign ${describeArmGrant(target)}`);
      if (failure.code !== "RoleAssignmentExists") throw failure;
      // The person already holds the role here under another name: a standing assignment that is not
      // ours. They have the access, so the grant succeeds; remove() deletes by our name and leaves it.
      return standingResult(arm, target);
    }
  },

  // The end lives in our ledger, not in Azure: the assignment stays until our job removes it.
  async extend(target): Promise<ProviderResult> {
    const arm = armTarget(target);
    return { providerRequestId: arm.assignmentId(assignmentName(arm, target.principalId)), enforcedEndAt: null };
  },

  async remove(target) {
    const arm = armTarget(target);
    const name = assignmentName(arm, target.principalId);
    try {
      // 200 with the deleted assignment, or 204 when it is already gone: both are what we want.
      await arm.client.roleAssignments.delete(arm.scope, name);
    } catch (error) {
      const failure = toProviderError(error, `remove ${describeArmGrant(target)}`);
      if (failure.kind !== "not_found") throw failure;
    }
    return { providerRequestId: arm.assignmentId(name), enforcedEndAt: null };
  },

  async read(target) {
    const arm = armTarget(target);
    try {
      const found = await arm.client.roleAssignments.get(arm.scope, assignmentName(arm, target.principalId));
      return { isActive: true, endAt: null, providerId: found.id };
    } catch (error) {
      const failure = toProviderError(error, `check ${describeArmGrant(target)}`);
      if (failure.kind === "not_found") return { isActive: false };
      throw failure;
    }
  },

  /**
   * Everyone assigned the role at exactly this scope, ours or not, none with an end (a PIM assignment
   * with an end shows here too, as the plain role assignment it materialises as).
   */
  async list(binding) {
    const arm = armTarget(binding);
    const found: CurrentAssignment[] = [];
    try {
      // atScope(): at this scope and above it; those above are inherited from a parent scope, not this binding.
      for await (const assignment of arm.client.roleAssignments.listForScope(arm.scope, { filter: "atScope()" })) {
        if (!sameId(assignment.scope, arm.scope) || !sameRole(assignment.roleDefinitionId, arm.roleGuid)) continue;
        if (assignment.principalId) {
          found.push({ principalId: assignment.principalId, endAt: null, providerId: assignment.id });
        }
      }
    } catch (error) {
      throw toProviderError(error, `list who holds ${describeArmGrant(binding)}`);
    }
    return found;
  },
};

/** Which standing assignment gave the access, for the audit; the grant has succeeded either way. */
async function standingResult(arm: ArmTarget, target: GrantTarget): Promise<ProviderResult> {
  let standingId = "another name";
  try {
    for await (const assignment of arm.client.roleAssignments.listForScope(arm.scope, {
      filter: `principalId eq '${target.principalId}'`,
    })) {
      if (sameId(assignment.scope, arm.scope) && sameRole(assignment.roleDefinitionId, arm.roleGuid)) {
        standingId = assignment.id ?? standingId;
        break;
      }
    }
  } catch {
    // Only the audit's wording depends on this lookup: not worth failing a grant that is in place.
  }
  return {
    providerRequestId: `standing assignment ${standingId} (not made by AKS JIT; left in place on removal)`,
    enforcedEndAt: null,
  };
}

export interface ArmTarget {
  client: ReturnType<typeof armAuthorizationClient>;
  /** the scope without its leading slash: the SDK inserts it after one (`/{scope}/providers/...`) */
  scope: string;
  subscriptionId: string;
  roleGuid: string;
  /** the role definition's full id under the scope's subscription, as ARM expects it in a request */
  roleDefinitionId: string;
  assignmentId(name: string): string;
}

/** What every ARM call of a grant or binding needs: shared by the armRoleAssignment and armPim providers. */
export function armTarget(target: Binding): ArmTarget {
  const grant = target.grant;
  if (grant.kind !== "armPim" && grant.kind !== "armRoleAssignment") {
    throw new ProviderError("invalid", `An ${grant.kind} grant was given to an Azure role provider.`);
  }
  const scope = scopeOf(target).replace(/^\/+/, "");
  const subscriptionId = /^subscriptions\/([^/]+)/i.exec(scope)?.[1];
  if (!subscriptionId) {
    throw new ProviderError("invalid", `The scope /${scope} of ${describeArmGrant(target)} names no subscription.`);
  }
  const roleGuid = grant.roleDefinitionId.toLowerCase();
  return {
    client: armAuthorizationClient(subscriptionId),
    scope,
    subscriptionId,
    roleGuid,
    roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
    assignmentId: (name) => `/${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
  };
}

/**
 * A GUID that only (scope, role, person) determine: SHA-256 of the three, laid out as an RFC 9562
 * version 8 (custom) UUID. Lower-cased because ARM ids compare case-insensitively.
 */
export function assignmentName(arm: Pick<ArmTarget, "scope" | "roleGuid">, principalId: string): string {
  const hash = createHash("sha256")
    .update(`aks-jit:${arm.scope.toLowerCase()}:${arm.roleGuid}:${principalId.toLowerCase()}`)
    .digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x80, 6); // version 8
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8); // variant 10
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** ARM echoes ids in other forms and cases than it was sent (azure-contracts.md B.2): compare GUIDs. */
export function sameRole(roleDefinitionId: string | undefined, roleGuid: string) {
  return roleDefinitionId?.split("/").pop()?.toLowerCase() === roleGuid.toLowerCase();
}

export function sameId(a: string | undefined, b: string) {
  const normal = (id: string) => id.replace(/^\/+|\/+$/g, "").toLowerCase();
  return a !== undefined && normal(a) === normal(b);
}
