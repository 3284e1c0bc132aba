/* What PIM does with a schedule request: checked against the current assignments and the group's
 * policy, it is refused (with PIM's error) or accepted (with what to store and do). */
import { randomUUID } from "node:crypto";
import type { EmulatorContext } from "../context";
import { failedRules, type GroupPolicies } from "./policies";
import { type RequestInput, type ScheduleInfo, scheduleWindow, withStart } from "./request-input";
import type { Assignment, GroupAssignments } from "./schedules";

/** What a refused request is answered with. */
export interface Refusal {
  kind: "refused";
  status: number;
  code: string;
  message: string;
}

/** What an accepted request stores and does. */
export interface Acceptance {
  kind: "accepted";
  status: string;
  target: Assignment | null;
  scheduleInfo: ScheduleInfo | null;
  apply: () => void;
}

export interface PimServices {
  ctx: EmulatorContext;
  assignments: GroupAssignments;
  policies: GroupPolicies;
}

const refuse = (status: number, code: string, message: string): Refusal => ({ kind: "refused", status, code, message });
const accept = (status: string, target: Assignment | null, scheduleInfo: ScheduleInfo | null, apply: () => void) =>
  ({ kind: "accepted", status, target, scheduleInfo, apply }) satisfies Acceptance;
const policyRefusal = (rules: string[]) =>
  refuse(
    400,
    "RoleAssignmentRequestPolicyValidationFailed",
    `The following policy rules failed: ${JSON.stringify(rules)}`,
  );
// The ARM PIM texts; the HTTP status is UNCERTAIN for Graph and assumed 400 (contract A.8).
const exists = () => refuse(400, "RoleAssignmentExists", "The Role assignment already exists.");
const doesNotExist = () => refuse(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
const invalidRequest = (detail: string) =>
  refuse(400, "InvalidRoleAssignmentRequest", `The role assignment request is invalid. ${detail}`);

/**
 * PIM keeps an assignment for a minimum time: removing or deactivating it sooner is refused with
 * 400 ActiveDurationTooShort, measured from the assignment's start. Third-party evidence only (the
 * ARM PIM text, seen from Graph PIM clients as well; contract A.8); UNCERTAIN for Graph: the status
 * and whether Graph words it the same way.
 */
const isTooShort = (ctx: EmulatorContext, a: Assignment, now: Date) =>
  a.start <= now && now.getTime() - a.start.getTime() < ctx.settings.minimumActiveDurationSeconds * 1000;
const tooShort = () =>
  refuse(400, "ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.");

/** Decides a request against the current assignments and policy; returns what to store, or a refusal. */
export function decide(pim: PimServices, input: RequestInput, requestId: string, now: Date): Refusal | Acceptance {
  switch (input.action) {
    case "adminAssign":
    case "selfActivate":
      return decideAssign(pim, input, requestId, now);
    case "adminExtend":
    case "adminUpdate":
      return decideExtend(pim, input, now);
    case "adminRemove":
    case "selfDeactivate":
      return decideRemove(pim, input, now);
    case "adminRenew":
    case "selfExtend":
    case "selfRenew":
      return invalidRequest(`The emulator does not support the action '${input.action}' for groups.`);
  }
}

function decideAssign({ ctx, assignments, policies }: PimServices, input: RequestInput, requestId: string, now: Date) {
  const { groupId, principalId, accessId } = input;
  const window = scheduleWindow(input.scheduleInfo, now);
  if (typeof window === "string") return refuse(400, "BadRequest", window);
  const isAssigned =
    assignments.find(groupId, principalId, accessId, now) !== undefined ||
    assignments.isPermanentMember(groupId, principalId, accessId);
  if (input.action === "adminAssign" && isAssigned) return exists();
  const failed = failedRules(policies.for(groupId, accessId), input, window);
  if (failed.length > 0) return policyRefusal(failed);
  const guid = randomUUID();
  const target: Assignment = {
    id: `${groupId}_${accessId}_${guid}`,
    instanceId: randomUUID(),
    groupId,
    principalId,
    accessId,
    start: window.start,
    end: window.end,
    createdDateTime: now,
    modifiedDateTime: null,
    createdUsing: requestId,
    endedAt: null,
    visibleAt: new Date(now.getTime() + ctx.settings.pimReplicationDelaySeconds * 1000),
  };
  // UNCERTAIN: the status of a request whose schedule starts later; it reads Provisioned from the start.
  const status = window.start > now ? "ScheduleCreated" : "Provisioned";
  return accept(status, target, withStart(input.scheduleInfo, window.start), () => assignments.made.push(target));
}

function decideExtend({ assignments, policies }: PimServices, input: RequestInput, now: Date) {
  const { groupId, principalId, accessId } = input;
  const existing = assignments.find(groupId, principalId, accessId, now);
  if (!existing) {
    return assignments.isPermanentMember(groupId, principalId, accessId)
      ? invalidRequest("A permanent assignment has no end to move.")
      : doesNotExist();
  }
  // UNCERTAIN (contract G): the fields PIM wants for adminExtend; the new schedule is checked like
  // an assignment from its start (default: now), and its end replaces the assignment's end.
  const window = scheduleWindow(input.scheduleInfo, now);
  if (typeof window === "string") return refuse(400, "BadRequest", window);
  const failed = failedRules(policies.for(groupId, accessId), input, window);
  if (window.end !== null && window.end <= now && !failed.includes("ExpirationRule")) failed.push("ExpirationRule");
  if (failed.length > 0) return policyRefusal(failed);
  return accept("Provisioned", existing, withStart(input.scheduleInfo, window.start), () => {
    existing.end = window.end;
    existing.modifiedDateTime = now;
  });
}

function decideRemove({ ctx, assignments }: PimServices, input: RequestInput, now: Date) {
  const { groupId, principalId, accessId } = input;
  const existing = assignments.find(groupId, principalId, accessId, now);
  if (existing && isTooShort(ctx, existing, now)) return tooShort();
  if (existing) return accept("Revoked", existing, null, () => (existing.endedAt = now));
  if (input.action === "adminRemove" && assignments.isPermanentMember(groupId, principalId, accessId)) {
    // Removing a permanent assignment removes the member, as it does in Entra (contract A.7).
    const permanent = assignments.permanent().find((a) => a.groupId === groupId && a.principalId === principalId);
    return accept("Revoked", permanent ?? null, null, () => ctx.tenant.removeMember(groupId, principalId));
  }
  return doesNotExist();
}
