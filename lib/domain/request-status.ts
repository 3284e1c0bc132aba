/**
 * A request's statuses, each described once: where it stands in the lifecycle and the words for it.
 * Every list of statuses (terminal, open, revocable …) and every `is…` predicate is derived from
 * this table, so that a new status is added in one place and nobody outside lib/domain compares
 * status strings by hand.
 */

type Phase = "awaiting_decision" | "awaiting_activation" | "activating" | "active" | "ended";

const STATUS_TABLE = {
  pending: { phase: "awaiting_decision", words: "waiting for approval" },
  approved: { phase: "awaiting_activation", words: "approved" },
  scheduled: { phase: "awaiting_activation", words: "scheduled" },
  activating: { phase: "activating", words: "being activated" },
  active: { phase: "active", words: "active" },
  expired: { phase: "ended", words: "expired" },
  deactivated: { phase: "ended", words: "ended early" },
  revoked: { phase: "ended", words: "revoked" },
  denied: { phase: "ended", words: "denied" },
  cancelled: { phase: "ended", words: "cancelled" },
  timed_out: { phase: "ended", words: "timed out" },
  failed: { phase: "ended", words: "failed" },
} as const satisfies Record<string, { phase: Phase; words: string }>;

export type RequestStatus = keyof typeof STATUS_TABLE;
export const REQUEST_STATUSES = Object.keys(STATUS_TABLE) as RequestStatus[];

const phaseOf = (status: RequestStatus): Phase => STATUS_TABLE[status].phase;

/** Nothing more happens to it (failed waits for an admin's retry, which reopens it). */
export const isTerminal = (status: RequestStatus) => phaseOf(status) === "ended";
export const isAwaitingDecision = (status: RequestStatus) => phaseOf(status) === "awaiting_decision";
/** Approved, and either due now or scheduled for later: the activation job has it. */
export const isAwaitingActivation = (status: RequestStatus) => phaseOf(status) === "awaiting_activation";
export const isActivating = (status: RequestStatus) => phaseOf(status) === "activating";
export const isActive = (status: RequestStatus) => phaseOf(status) === "active";
export const hasFailed = (status: RequestStatus) => status === "failed";
/** Access given or about to be: what an admin may revoke. */
export const isRevocable = (status: RequestStatus) => isAwaitingActivation(status) || isActive(status);

/** Not terminal: still under way (what the open-request quota and the metrics count). */
export const OPEN_STATUSES: RequestStatus[] = REQUEST_STATUSES.filter((status) => !isTerminal(status));
export const REVOCABLE_STATUSES: RequestStatus[] = REQUEST_STATUSES.filter(isRevocable);

export const describeStatus = (status: RequestStatus) => STATUS_TABLE[status].words;

export const isRequestStatus = (value: string): value is RequestStatus => Object.hasOwn(STATUS_TABLE, value);

/** A status read from storage: an unknown one means the row and the code disagree, so it is not guessed at. */
export function parseRequestStatus(value: string, requestId: string): RequestStatus {
  if (isRequestStatus(value)) return value;
  throw new Error(
    `access_requests ${requestId}: unknown status "${value}" (expected one of ${REQUEST_STATUSES.join(", ")})`,
  );
}
