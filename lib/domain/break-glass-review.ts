/**
 * The review that follows break-glass access: who may review it, what a review must say, and when it
 * is overdue. Pure: the viewer, the request and `now` come in as arguments.
 */
import { addMinutes } from "./duration";
import type { RequestViewer } from "./affordances";
import { isTicketOwed, normalizeTicket, ticketProblem } from "./policy";
import type { RolePolicy } from "./policy-types";

/** A review is due this long after filing when the policy snapshot predates `breakGlassReviewWithinMinutes`. */
export const DEFAULT_REVIEW_WITHIN_MINUTES = 24 * 60;

export interface ReviewableRequest {
  requesterId: string;
  isBreakGlass: boolean;
  ticket: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
  policy: RolePolicy;
}

export type ReviewPermission = { isAllowed: true } | { isAllowed: false; message: string };

/**
 * Auditors (and admins, who read the audit too) review any break-glass access; approvers review it
 * where the role routes approvals to one of their groups; nobody reviews their own.
 */
export function mayReviewBreakGlass(viewer: RequestViewer, request: ReviewableRequest): ReviewPermission {
  if (!request.isBreakGlass) return { isAllowed: false, message: "Only break-glass access is reviewed afterwards." };
  if (request.reviewedAt) return { isAllowed: false, message: "This break-glass access has already been reviewed." };
  if (request.requesterId === viewer.id) {
    return { isAllowed: false, message: "You used this break-glass access: someone else must review it." };
  }
  if (viewer.permissions.includes("audit.read")) return { isAllowed: true };
  const mine = new Set(viewer.groupIds.map((id) => id.toLowerCase()));
  const isRoutedApprover =
    viewer.permissions.includes("request.approve") &&
    request.policy.approverGroupIds.some((id) => mine.has(id.toLowerCase()));
  return isRoutedApprover
    ? { isAllowed: true }
    : { isAllowed: false, message: "Only the role's approvers and the auditors review break-glass access." };
}

export const reviewDueAt = (request: Pick<ReviewableRequest, "createdAt" | "policy">) =>
  addMinutes(request.createdAt, request.policy.breakGlassReviewWithinMinutes ?? DEFAULT_REVIEW_WITHIN_MINUTES);

export const isReviewOverdue = (request: ReviewableRequest, now: Date) =>
  request.isBreakGlass && !request.reviewedAt && reviewDueAt(request) <= now;

export interface ReviewDraft {
  note: string;
  ticket?: string;
  noTicketReason?: string;
}

export type ReviewOutcome =
  | { isAccepted: true; ticket: string | null; noTicketReason: string | null; wasTicketOwed: boolean }
  | { isAccepted: false; field: "ticket" | "noTicketReason"; message: string };

/**
 * What a review records. A request that still owes its ticket (break-glass "ticket later") gets it
 * now, in the role's format (normalized as at filing), or a reason why no ticket exists; a request
 * that has its ticket records none.
 */
export function checkReview(request: ReviewableRequest, draft: ReviewDraft): ReviewOutcome {
  const wasTicketOwed = isTicketOwed(request.policy, request);
  if (!wasTicketOwed) return { isAccepted: true, ticket: null, noTicketReason: null, wasTicketOwed };
  const ticket = normalizeTicket(request.policy.ticket, draft.ticket);
  const reason = draft.noTicketReason?.trim() ?? "";
  if (ticket) {
    const problem = ticketProblem(request.policy.ticket, ticket);
    if (problem) return { isAccepted: false, field: "ticket", message: problem };
    return { isAccepted: true, ticket, noTicketReason: null, wasTicketOwed };
  }
  if (reason) return { isAccepted: true, ticket: null, noTicketReason: reason, wasTicketOwed };
  return {
    isAccepted: false,
    field: "ticket",
    message: "This break-glass request was filed without its ticket: give the ticket now, or say why none exists.",
  };
}
