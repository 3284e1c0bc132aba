/**
 * The access request's lifecycle as a decider: `decide(state, command, now)` returns the next
 * state and the one event that records it, or a refusal saying why not. Pure: no database, no
 * clock (`now` is an argument), no SDK. The use cases in lib/access persist what it returns.
 *
 *   pending → approved → (scheduled) → activating → active → expired | deactivated | revoked
 *   side exits: denied, cancelled, timed_out (pending too long), failed (activation gave up)
 */
import { addMinutes } from "./duration";

export const REQUEST_STATUSES = [
  "pending",
  "approved",
  "scheduled",
  "activating",
  "active",
  "expired",
  "deactivated",
  "revoked",
  "denied",
  "cancelled",
  "timed_out",
  "failed",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

const TERMINAL: ReadonlySet<RequestStatus> = new Set([
  "expired",
  "deactivated",
  "revoked",
  "denied",
  "cancelled",
  "timed_out",
  "failed",
]);
export const isTerminal = (status: RequestStatus) => TERMINAL.has(status);
export const isAwaitingDecision = (status: RequestStatus) => status === "pending";
export const isActive = (status: RequestStatus) => status === "active";

export interface RequestState {
  status: RequestStatus;
  requesterId: string;
  approvalsRequired: number;
  /** distinct approvers so far, in order */
  approverIds: string[];
  startAt: Date | null;
  pendingExpiresAt: Date;
  isBreakGlass: boolean;
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
  | { type: "extend"; actorId: string; from: Date; until: Date }
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
  | "NOT_YET_DUE";

export type Decision =
  | { isAccepted: true; state: RequestState; event: RequestEvent }
  | { isAccepted: false; code: RefusalCode; message: string };

const refuse = (code: RefusalCode, message: string): Decision => ({ isAccepted: false, code, message });
const user = (id: string): EventActor => ({ kind: "user", id });

const STATUS_WORDS: Record<RequestStatus, string> = {
  pending: "waiting for approval",
  approved: "approved",
  scheduled: "scheduled",
  activating: "being activated",
  active: "active",
  expired: "expired",
  deactivated: "ended early",
  revoked: "revoked",
  denied: "denied",
  cancelled: "cancelled",
  timed_out: "timed out",
  failed: "failed",
};
export const describeStatus = (status: RequestStatus) => STATUS_WORDS[status];

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
      `This request is ${describeStatus(state.status)}; it can no longer be ${STATUS_WORDS[to]}.`,
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
      return move(state, "active", "deactivated", "request.deactivated", user(command.actorId));
    case "revoke":
      if (!command.reason.trim())
        return refuse("COMMENT_REQUIRED", "Say why you revoke the access: the holder and the auditors see it.");
      return move(state, ["active", "approved", "scheduled"], "revoked", "request.revoked", user(command.actorId), {
        reason: command.reason.trim(),
      });
    case "extend":
      if (command.actorId !== state.requesterId)
        return refuse("NOT_REQUESTER", "Only the person who holds the access can extend it.");
      if (command.until <= command.from) return refuse("INVALID_TRANSITION", "An extension must move the end later.");
      return move(state, "active", "active", "request.extended", user(command.actorId), {
        previousEnd: command.from.toISOString(),
        newEnd: command.until.toISOString(),
      });
    case "retry_activation":
      if (command.actorId === state.requesterId)
        return refuse("SELF_APPROVAL", "Another admin must retry your own request's activation.");
      return move(state, "failed", "approved", "request.activation_retried", user(command.actorId));
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
  approvalsRequired: number;
  startAt: Date | null;
  pendingTimeoutMinutes: number;
  isBreakGlass: boolean;
  now: Date;
}): { state: RequestState; events: RequestEvent[] } {
  const pending: RequestState = {
    status: "pending",
    requesterId: input.requesterId,
    approvalsRequired: input.approvalsRequired,
    approverIds: [],
    startAt: input.startAt,
    pendingExpiresAt: addMinutes(input.now, input.pendingTimeoutMinutes),
    isBreakGlass: input.isBreakGlass,
  };
  const created: RequestEvent = {
    type: "request.created",
    from: null,
    to: "pending",
    actor: user(input.requesterId),
    data: { isBreakGlass: input.isBreakGlass, approvalsRequired: input.approvalsRequired },
  };
  if (input.approvalsRequired > 0 && !input.isBreakGlass) return { state: pending, events: [created] };
  const approved: RequestEvent = {
    type: "request.approved",
    from: "pending",
    to: "approved",
    actor: { kind: "policy" },
    data: { reason: input.isBreakGlass ? "break_glass" : "no_approval_required", approverIds: [] },
  };
  return { state: { ...pending, status: "approved" }, events: [created, approved] };
}
