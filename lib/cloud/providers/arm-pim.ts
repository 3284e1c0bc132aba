import "server-only";
import { randomUUID } from "node:crypto";
import type { RoleAssignmentScheduleRequest } from "@azure/arm-authorization";
import {
  type AccessProvider,
  type CurrentAssignment,
  type GrantState,
  type GrantTarget,
  type GrantWindow,
  ProviderError,
  type ProviderResult,
} from "@/lib/cloud/access-provider";
import { earliestRemovalOf } from "../pim-rules";
import { describeArmGrant, toProviderError } from "./arm-errors";
import { type ArmTarget, armTarget, sameId, sameRole } from "./arm-role-assignment";

/**
 * `armPim` grants: a time-bound active assignment made through Azure PIM (roleAssignmentScheduleRequests,
 * api 2020-10-01, AdminAssign with an end). Azure ends it by itself, so a missed removal cannot leave
 * access behind. AKS JIT is the approver, so it assigns as an admin rather than activating eligibility.
 *
 * A schedule request name can never be reused (409 RoleAssignmentRequestExists), so every call sends a
 * fresh one; idempotence comes from reading what is active instead.
 */
export const armPimProvider: AccessProvider = {
  kind: "armPim",

  async apply(target, window) {
    const arm = armTarget(target);
    const action = `assign ${describeArmGrant(target)}`;
    try {
      return await submit(arm, target, "AdminAssign", window, action);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== "RoleAssignmentExists") throw error;
    }
    // Already assigned: an earlier attempt whose answer was lost, or access the person holds anyway.
    const state = await readInstance(arm, target);
    if (state.isActive) {
      if (state.endAt === null) return standingResult(state);
      if (state.endAt.getTime() >= window.endAt.getTime()) {
        return { providerRequestId: state.providerId, enforcedEndAt: state.endAt };
      }
    }
    // Ends too early, or scheduled and not started yet (instances show only started assignments).
    try {
      return await submit(arm, target, "AdminExtend", window, action);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== "not_found") throw error;
      // Azure ended or removed it between our two calls: a retry assigns it afresh.
      throw new ProviderError(
        "transient",
        `Azure could not ${action}: the assignment changed while AKS JIT applied it.`,
        {
          code: error.code,
          status: error.status,
          requestId: error.requestId,
          cause: error,
        },
      );
    }
  },

  async extend(target, window) {
    const arm = armTarget(target);
    const action = `extend ${describeArmGrant(target)}`;
    const state = await readInstance(arm, target);
    // A permanent assignment is someone else's standing access: giving it an end would cut it short.
    if (state.isActive && state.endAt === null) return standingResult(state);
    try {
      return await submit(arm, target, "AdminExtend", window, action);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== "RoleAssignmentDoesNotExist") throw error;
    }
    // Nothing to extend (Azure already ended it, or it was removed by hand): assign it again.
    return armPimProvider.apply(target, window);
  },

  async remove(target, context) {
    const arm = armTarget(target);
    const action = `remove ${describeArmGrant(target)}`;
    const state = await readInstance(arm, target);
    // AKS JIT only ever makes assignments with an end: a permanent one is not ours to remove.
    if (state.isActive && state.endAt === null) return standingResult(state);
    try {
      return await submit(arm, target, "AdminRemove", context, action);
    } catch (error) {
      // Already gone: ended by Azure, removed by hand, or by an earlier attempt whose answer was lost.
      if (error instanceof ProviderError && error.code === "RoleAssignmentDoesNotExist") {
        return { providerRequestId: state.isActive ? state.providerId : undefined, enforcedEndAt: null };
      }
      if (error instanceof ProviderError && error.kind === "too_soon") {
        // PIM names no moment: it is the assignment's start plus its minimum (lib/cloud/pim-rules.ts).
        const start = await startOfInstance(arm, target).catch(() => undefined);
        throw new ProviderError(error.kind, error.message, {
          status: error.status,
          code: error.code,
          requestId: error.requestId,
          notBefore: earliestRemovalOf(start ?? new Date()),
          cause: error,
        });
      }
      throw error;
    }
  },

  async read(target) {
    return readInstance(armTarget(target), target);
  },

  /**
   * Everyone with an active assignment of the role at exactly this scope, permanent or time-bound,
   * one entry per person (the one lasting longest, as read does). Instances held through a group
   * (memberType Group) are left out: that group holds the assignment directly and is listed itself.
   */
  async list(binding) {
    const arm = armTarget(binding);
    const byPrincipal = new Map<string, CurrentAssignment>();
    try {
      // atScope(): at this scope and above it; those above are inherited from a parent scope, not this binding.
      for await (const instance of arm.client.roleAssignmentScheduleInstances.listForScope(arm.scope, {
        filter: "atScope()",
      })) {
        if (!sameId(instance.scope, arm.scope) || !sameRole(instance.roleDefinitionId, arm.roleGuid)) continue;
        if (!instance.principalId || (instance.memberType && instance.memberType !== "Direct")) continue;
        const endAt = instance.endDateTime ?? null;
        const known = byPrincipal.get(instance.principalId.toLowerCase());
        if (!known || lastsLonger(endAt, known.endAt)) {
          byPrincipal.set(instance.principalId.toLowerCase(), {
            principalId: instance.principalId,
            endAt,
            providerId: instance.originRoleAssignmentId ?? instance.id,
          });
        }
      }
    } catch (error) {
      throw toProviderError(error, `list who holds ${describeArmGrant(binding)}`);
    }
    return [...byPrincipal.values()];
  },
};

/** Whether an end is later than another; null (no end) is later than any date. */
const lastsLonger = (end: Date | null, than: Date | null) => than !== null && (end === null || end > than);

type RequestType = "AdminAssign" | "AdminExtend" | "AdminRemove";

/** Request states in which PIM has not granted, and will not grant, the assignment on its own. */
const REFUSED = new Set([
  "Denied",
  "AdminDenied",
  "Failed",
  "FailedAsResourceIsLocked",
  "Invalid",
  "Canceled",
  "TimedOut",
]);
const AWAITING_APPROVAL = new Set(["PendingApproval", "PendingAdminDecision", "PendingApprovalProvisioning"]);

/** One schedule request under a fresh name; every failure comes back as a ProviderError. */
async function submit(
  arm: ArmTarget,
  target: GrantTarget,
  requestType: RequestType,
  window: Pick<GrantWindow, "justification" | "requestId" | "ticket"> & Partial<Pick<GrantWindow, "startAt" | "endAt">>,
  action: string,
): Promise<ProviderResult> {
  const parameters: RoleAssignmentScheduleRequest = {
    principalId: target.principalId,
    roleDefinitionId: arm.roleDefinitionId,
    requestType,
    justification: `AKS JIT request ${window.requestId}: ${window.justification}`,
    // PIM's TicketingRule wants a ticket; the AKS JIT request is one when the person gave none.
    ticketInfo: { ticketNumber: window.ticket ?? window.requestId, ticketSystem: "AKS JIT" },
  };
  if (window.startAt && window.endAt) {
    parameters.scheduleInfo = {
      // PIM checks its maximum duration against the schedule sent: from now, for a grant whose start has
      // passed (a late job, an extension), so that only the time still to come counts.
      startDateTime: new Date(Math.max(Date.now(), window.startAt.getTime())),
      expiration: { type: "AfterDateTime", endDateTime: window.endAt },
    };
  }
  let request: RoleAssignmentScheduleRequest;
  try {
    request = await arm.client.roleAssignmentScheduleRequests.create(arm.scope, randomUUID(), parameters);
  } catch (error) {
    throw toProviderError(error, action);
  }
  const status = request.status ?? "";
  if (REFUSED.has(status) || AWAITING_APPROVAL.has(status)) {
    const why = AWAITING_APPROVAL.has(status)
      ? "the role's PIM settings require an approval in Azure for active assignments; AKS JIT is the approver, so turn that off"
      : `PIM answered ${status}`;
    throw new ProviderError("policy", `Azure PIM did not ${action}: ${why}.`, { code: status });
  }
  return {
    providerRequestId: request.id,
    enforcedEndAt: requestType === "AdminRemove" ? null : (window.endAt ?? null),
  };
}

/** The person's active assignment of this role at exactly this scope (not one inherited from above). */
async function readInstance(arm: ArmTarget, target: GrantTarget): Promise<GrantState> {
  let found: GrantState = { isActive: false };
  try {
    const instances = arm.client.roleAssignmentScheduleInstances.listForScope(arm.scope, {
      filter: `principalId eq '${target.principalId}'`,
    });
    for await (const instance of instances) {
      if (!sameId(instance.scope, arm.scope) || !sameRole(instance.roleDefinitionId, arm.roleGuid)) continue;
      if (!sameId(instance.principalId, target.principalId)) continue;
      const endAt = instance.endDateTime ?? null;
      // Two instances (say, a permanent one and ours): the one that lasts longest is what the person has.
      if (!found.isActive || lastsLonger(endAt, found.endAt)) {
        found = { isActive: true, endAt, providerId: instance.originRoleAssignmentId ?? instance.id };
      }
    }
  } catch (error) {
    throw toProviderError(error, `check ${describeArmGrant(target)}`);
  }
  return found;
}

/** When the person's active assignment of this role at exactly this scope started (the latest, if several). */
async function startOfInstance(arm: ArmTarget, target: GrantTarget): Promise<Date | undefined> {
  let start: Date | undefined;
  const instances = arm.client.roleAssignmentScheduleInstances.listForScope(arm.scope, {
    filter: `principalId eq '${target.principalId}'`,
  });
  for await (const instance of instances) {
    if (!sameId(instance.scope, arm.scope) || !sameRole(instance.roleDefinitionId, arm.roleGuid)) continue;
    if (!sameId(instance.principalId, target.principalId) || !instance.startDateTime) continue;
    if (!start || instance.startDateTime > start) start = instance.startDateTime;
  }
  return start;
}

function standingResult(state: Extract<GrantState, { isActive: true }>): ProviderResult {
  return {
    providerRequestId: `standing assignment ${state.providerId ?? "without an end"} (not made by AKS JIT; left in place)`,
    enforcedEndAt: null,
  };
}
