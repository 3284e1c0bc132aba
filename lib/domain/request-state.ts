/**
 * The access request's lifecycle as a decider: `decide(state, command, now)` returns the next
 * state and the one event that records it, or a refusal saying why not. Pure: no database, no
 * clock (`now` is an argument), no SDK. The use cases in lib/access persist what it returns.
 *
 *   pending → approved → (scheduled) → activating → active → expired | deactivated | revoked
 *   side exits: denied, cancelled, timed_out (pending too long), failed (activation gave up)
 */
import { addMinutes } from "./duration";
import { checkExtension } from "./policy";
import type { RolePolicy } from "./policy-types";
import { REVOCABLE_STATUSES, describeStatus, type RequestStatus } from "./request-status";

// The statuses and their predicates, for callers that import the decider.
export * from "./request-status";

export interface RequestState {
  status: RequestStatus;
  requesterId: string;
  approvalsRequired: number;
  /** distinct approvers so far, in order */
  approverIds: string[];
  startAt: Date | null;
  pendingExpiresAt: Date;
  isBreakGlass: boolean;
  /** the role's policy when the request was filed: the rules it is decided by, whatever the catalog says now */
  policy: RolePolicy;
  /** the access period, once activated; ending access early or revoking it moves its end to now */
  activeFrom: Date | null;
  activeUntil: Date | null;
}

export type RequestCommand =
  | { type: "approve"; actorId: string; comment?: string }
  | { type: "deny"; actorId: string; comment: string }
  | { type: "cancel"; actorId: string }
  | { type: "time_out" }
  | { type: "schedule" }
  | { type: "begin_activation" }
  | { type: "activation_succeeded" }
  | { type: "activation_failed"; reason: string }
  | { type: "expire" }
  | { type: "deactivate"; actorId: string }
  | { type: "revoke"; actorId: string; reason: string }
  /** push the end of active access out by `extraMinutes`, within the policy's extension limit */
  | { type: "extend"; actorId: string; extraMinutes: number }
  | { type: "retry_activation"; actorId: string };

export const REQUEST_EVENT_TYPES = [
  "request.created",
  "request.approval_added",
  "request.approved",
  "request.denied",
  "request.cancelled",
  "request.timed_out",
  "request.scheduled",
  "request.activating",
  "request.activated",
  "request.activation_failed",
  "request.expired",
  "request.deactivated",
  "request.revoked",
  "request.extended",
  "request.activation_retried",
] as const;
export type RequestEventType = (typeof REQUEST_EVENT_TYPES)[number];

/** Who caused an event: a person, the role's policy (self-activation, break-glass) or the system (timers, jobs). */
export type EventActor = { kind: "user"; id: string } | { kind: "policy" } | { kind: "system" };

export interface RequestEvent {
  type: RequestEventType;
  from: RequestStatus | null;
  to: RequestStatus;
  actor: EventActor;
  data: Record<string, string | number | boolean | string[] | null>;
}

export type RefusalCode =
  | "INVALID_TRANSITION"
  | "SELF_APPROVAL"
  | "DUPLICATE_APPROVAL"
  | "NOT_REQUESTER"
  | "COMMENT_REQUIRED"
  | "PENDING_EXPIRED"
  | "NOT_YET_DUE"
  /** the role's extension policy does not allow this extension (the field to fix is the duration) */
  | "EXTENSION_REFUSED";

export type Decision =
  | { isAccepted: true; state: RequestState; event: RequestEvent }
  | { isAccepted: false; code: RefusalCode; message: string };

const refuse = (code: RefusalCode, message: string): Decision => ({ isAccepted: false, code, message });
const user = (id: string): EventActor => ({ kind: "user", id });

function move(
  state: RequestState,
  from: RequestStatus | RequestStatus[],
  to: RequestStatus,
  type: RequestEventType,
  actor: EventActor,
  data: RequestEvent["data"] = {},
): Decision {
  const allowed = Array.isArray(from) ? from : [from];
  if (!allowed.includes(state.status)) {
    return refuse(
      "INVALID_TRANSITION",
      `This request is ${describeStatus(state.status)}; it can no longer be ${describeStatus(to)}.`,
    );
  }
  return { isAccepted: true, state: { ...state, status: to }, event: { type, from: state.status, to, actor, data } };
}

function approve(state: RequestState, command: Extract<RequestCommand, { type: "approve" }>, now: Date): Decision {
  if (state.status !== "pending") return move(state, "pending", "approved", "request.approved", user(command.actorId));
  if (now >= state.pendingExpiresAt)
    return refuse("PENDING_EXPIRED", "This request waited too long for a decision and has timed out.");
  if (command.actorId === state.requesterId) return refuse("SELF_APPROVAL", "Nobody may approve their own request.");
  if (state.approverIds.includes(command.actorId)) {
    return refuse("DUPLICATE_APPROVAL", "You have already approved this request; it needs another approver.");
  }
  const approverIds = [...state.approverIds, command.actorId];
  const comment = command.comment?.trim() || null;
  if (approverIds.length < state.approvalsRequired) {
    return {
      isAccepted: true,
      state: { ...state, approverIds },
      event: {
        type: "request.approval_added",
        from: "pending",
        to: "pending",
        actor: user(command.actorId),
        data: { comment, approvals: approverIds.length, approvalsRequired: state.approvalsRequired },
      },
    };
  }
  return {
    isAccepted: true,
    state: { ...state, approverIds, status: "approved" },
    event: {
      type: "request.approved",
      from: "pending",
      to: "approved",
      actor: user(command.actorId),
      data: { comment, approverIds, approvalsRequired: state.approvalsRequired },
    },
  };
}

const endsNow = (decision: Decision, now: Date): Decision =>
  decision.isAccepted ? { ...decision, state: { ...decision.state, activeUntil: now } } : decision;

function extend(state: RequestState, command: Extract<RequestCommand, { type: "extend" }>, now: Date): Decision {
  if (command.actorId !== state.requesterId)
    return refuse("NOT_REQUESTER", "Only the person who holds the access can extend it.");
  if (state.status !== "active" || !state.activeFrom || !state.activeUntil)
    return refuse("INVALID_TRANSITION", "Only active access can be extended.");
  if (!(command.extraMinutes > 0)) return refuse("INVALID_TRANSITION", "An extension must move the end later.");
  const check = checkExtension({
    policy: state.policy,
    activeFrom: state.activeFrom,
    activeUntil: state.activeUntil,
    extraMinutes: command.extraMinutes,
    now,
  });
  if (!check.isAllowed) return refuse("EXTENSION_REFUSED", check.message);
  return {
    isAccepted: true,
    state: { ...state, activeUntil: check.until },
    event: {
      type: "request.extended",
      from: "active",
      to: "active",
      actor: user(command.actorId),
      data: { previousEnd: state.activeUntil.toISOString(), newEnd: check.until.toISOString() },
    },
  };
}

/** The event left the request approved (by people, by policy, or for a retry): the activation job takes it from here. */
export const isHandedToActivation = (event: RequestEvent) => event.to === "approved";

export function decide(state: RequestState, command: RequestCommand, now: Date): Decision {
  switch (command.type) {
    case "approve":
      return approve(state, command, now);
    case "deny": {
      if (!command.comment.trim())
        return refuse("COMMENT_REQUIRED", "Say why you deny the request: the requester sees your comment.");
      if (state.status === "pending" && command.actorId === state.requesterId) {
        return refuse("SELF_APPROVAL", "You cannot decide your own request; cancel it instead.");
      }
      if (state.status === "pending" && now >= state.pendingExpiresAt) {
        return refuse("PENDING_EXPIRED", "This request waited too long for a decision and has timed out.");
      }
      return move(state, "pending", "denied", "request.denied", user(command.actorId), {
        comment: command.comment.trim(),
      });
    }
    case "cancel":
      if (command.actorId !== state.requesterId)
        return refuse("NOT_REQUESTER", "Only the person who asked can cancel a request.");
      return move(state, "pending", "cancelled", "request.cancelled", user(command.actorId));
    case "time_out":
      if (state.status === "pending" && now < state.pendingExpiresAt) {
        return refuse("NOT_YET_DUE", "This request may still be decided.");
      }
      return move(
        state,
        "pending",
        "timed_out",
        "request.timed_out",
        { kind: "system" },
        { pendingExpiresAt: state.pendingExpiresAt.toISOString() },
      );
    case "schedule":
      if (state.status === "approved" && (!state.startAt || state.startAt <= now)) {
        return refuse("NOT_YET_DUE", "This request starts now; there is nothing to schedule.");
      }
      return move(
        state,
        "approved",
        "scheduled",
        "request.scheduled",
        { kind: "system" },
        { startAt: state.startAt?.toISOString() ?? null },
      );
    case "begin_activation":
      if ((state.status === "approved" || state.status === "scheduled") && state.startAt && state.startAt > now) {
        return refuse("NOT_YET_DUE", "This request is scheduled to start later.");
      }
      return move(state, ["approved", "scheduled"], "activating", "request.activating", { kind: "system" });
    case "activation_succeeded":
      return move(state, "activating", "active", "request.activated", { kind: "system" });
    case "activation_failed":
      return move(
        state,
        "activating",
        "failed",
        "request.activation_failed",
        { kind: "system" },
        { reason: command.reason },
      );
    case "expire":
      return move(state, "active", "expired", "request.expired", { kind: "system" });
    case "deactivate":
      if (command.actorId !== state.requesterId)
        return refuse("NOT_REQUESTER", "Only the person who holds the access can end it early.");
      return endsNow(move(state, "active", "deactivated", "request.deactivated", user(command.actorId)), now);
    case "revoke": {
      if (!command.reason.trim())
        return refuse("COMMENT_REQUIRED", "Say why you revoke the access: the holder and the auditors see it.");
      const revoked = move(state, REVOCABLE_STATUSES, "revoked", "request.revoked", user(command.actorId), {
        reason: command.reason.trim(),
      });
      // Access that never started keeps no period; access under way ends now.
      return state.status === "active" ? endsNow(revoked, now) : revoked;
    }
    case "extend":
      return extend(state, command, now);
    case "retry_activation": {
      if (command.actorId === state.requesterId)
        return refuse("SELF_APPROVAL", "Another admin must retry your own request's activation.");
      const retried = move(state, "failed", "approved", "request.activation_retried", user(command.actorId));
      // The failed activation never gave access: the period starts when the next one succeeds.
      return retried.isAccepted
        ? { ...retried, state: { ...retried.state, activeFrom: null, activeUntil: null } }
        : retried;
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A new request's first state and events. Without a required approval (self-activation) or as
 * break-glass, the policy approves it at once: two events, created then approved by policy.
 */
export function openRequest(input: {
  requesterId: string;
  policy: RolePolicy;
  startAt: Date | null;
  isBreakGlass: boolean;
  now: Date;
}): { state: RequestState; events: RequestEvent[] } {
  const { approvalsRequired, pendingTimeoutMinutes } = input.policy;
  const pending: RequestState = {
    status: "pending",
    requesterId: input.requesterId,
    approvalsRequired,
    approverIds: [],
    startAt: input.startAt,
    pendingExpiresAt: addMinutes(input.now, pendingTimeoutMinutes),
    isBreakGlass: input.isBreakGlass,
    policy: input.policy,
    activeFrom: null,
    activeUntil: null,
  };
  const created: RequestEvent = {
    type: "request.created",
    from: null,
    to: "pending",
    actor: user(input.requesterId),
    data: { isBreakGlass: input.isBreakGlass, approvalsRequired },
  };
  if (approvalsRequired > 0 && !input.isBreakGlass) return { state: pending, events: [created] };
  const approved: RequestEvent = {
    type: "request.approved",
    from: "pending",
    to: "approved",
    actor: { kind: "policy" },
    data: { reason: input.isBreakGlass ? "break_glass" : "no_approval_required", approverIds: [] },
  };
  return { state: { ...pending, status: "approved" }, events: [created, approved] };
}
