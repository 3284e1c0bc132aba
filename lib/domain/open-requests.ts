/**
 * Quotas on filing: whether one more request for a role on a cluster is allowed next to the
 * requester's open ones (not terminal) for the same role. Pure: `now` is an argument.
 *
 * - access already active for an overlapping window: refused, extend that one instead;
 * - a pending request for an overlapping window: refused as a duplicate of it;
 * - `maxOpen` open requests already: refused until one ends.
 */
import { addMinutes } from "./duration";
import { isActive, isAwaitingDecision, isTerminal, type RequestStatus } from "./request-state";

export interface OpenRequest {
  id: string;
  status: RequestStatus;
  startAt: Date | null;
  durationMinutes: number;
  activeFrom: Date | null;
  activeUntil: Date | null;
}

export interface RequestWindow {
  startAt: Date | null;
  durationMinutes: number;
}

export type OpenRequestsVerdict =
  | { isAllowed: true }
  | { isAllowed: false; reason: "active"; existing: OpenRequest }
  | { isAllowed: false; reason: "duplicate"; existing: OpenRequest }
  | { isAllowed: false; reason: "cap"; openCount: number };

/** When a request gives access: its active period once activated, else from its start (or now) for its duration. */
export function windowOf(request: OpenRequest | RequestWindow, now: Date): { from: Date; until: Date } {
  if ("activeFrom" in request && request.activeFrom && request.activeUntil) {
    return { from: request.activeFrom, until: request.activeUntil };
  }
  const from = request.startAt && request.startAt > now ? request.startAt : now;
  return { from, until: addMinutes(from, request.durationMinutes) };
}

export const overlaps = (a: { from: Date; until: Date }, b: { from: Date; until: Date }) =>
  a.from < b.until && b.from < a.until;

export function checkOpenRequests(input: {
  draft: RequestWindow;
  /** the requester's requests for the same cluster and role (terminal ones are ignored) */
  existing: OpenRequest[];
  maxOpen: number;
  /** whether overlapping pending or active requests refuse the new one (REFUSE_DUPLICATE_REQUESTS) */
  isOverlapRefused?: boolean;
  now: Date;
}): OpenRequestsVerdict {
  const { draft, maxOpen, now, isOverlapRefused = true } = input;
  const open = input.existing.filter((r) => !isTerminal(r.status));
  const wanted = windowOf(draft, now);
  const overlapping = isOverlapRefused ? open.filter((r) => overlaps(windowOf(r, now), wanted)) : [];
  const active = overlapping.find((r) => isActive(r.status));
  if (active) return { isAllowed: false, reason: "active", existing: active };
  const pending = overlapping.find((r) => isAwaitingDecision(r.status));
  if (pending) return { isAllowed: false, reason: "duplicate", existing: pending };
  if (open.length >= maxOpen) return { isAllowed: false, reason: "cap", openCount: open.length };
  return { isAllowed: true };
}

/**
 * How long an identical second filing counts as the first one sent twice (a double-click, a retry
 * after a slow answer): nobody means to file the same request, word for word, twice within a minute.
 */
export const RESUBMISSION_WINDOW_MS = 60_000;

/** What a person filed, word for word: two filings alike in all of it are the same filing. */
export interface Filing extends RequestWindow {
  justification: string;
  ticket: string | null;
  isBreakGlass: boolean;
}

const isSameFiling = (a: Filing, b: Filing) =>
  a.durationMinutes === b.durationMinutes &&
  (a.startAt?.getTime() ?? null) === (b.startAt?.getTime() ?? null) &&
  a.justification === b.justification &&
  a.ticket === b.ticket &&
  a.isBreakGlass === b.isBreakGlass;

/** The open request (same requester, cluster and role) that `draft` repeats within the window, if any. */
export function findResubmission<R extends Filing & { status: RequestStatus; createdAt: Date }>(
  draft: Filing,
  existing: R[],
  now: Date,
): R | undefined {
  return existing.find(
    (r) =>
      !isTerminal(r.status) && now.getTime() - r.createdAt.getTime() < RESUBMISSION_WINDOW_MS && isSameFiling(r, draft),
  );
}
