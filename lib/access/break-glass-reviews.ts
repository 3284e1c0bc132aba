import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import {
  isReviewOverdue,
  mayReviewBreakGlass,
  reviewDueAt,
  type ReviewableRequest,
} from "@/lib/domain/break-glass-review";
import { isTicketOwed } from "@/lib/domain/policy";
import { describeStatus, parseRequestStatus, type RequestStatus } from "@/lib/domain/request-state";
import { ZReviewedEvent } from "@/lib/schemas/break-glass-review";
import { readPolicySnapshot } from "./stored-json";
import { assertRequestId } from "./request-record";
import { visibleTo } from "./request-queries";
import { requestViewer } from "./request-view";

/**
 * Read models of the break-glass review: the queue (break-glass access not reviewed yet, oldest
 * first) and one request's review, as the viewer sees them. Who may review which request is the
 * domain's answer (lib/domain/break-glass-review.ts).
 */

const QUEUE_SIZE = 200;

export interface BreakGlassQueueItem {
  id: string;
  requester: { displayName: string; userPrincipalName: string };
  clusterName: string;
  roleName: string;
  status: RequestStatus;
  statusLabel: string;
  filedAt: string;
  justification: string;
  isTicketOwed: boolean;
  dueAt: string;
  isOverdue: boolean;
  /** may this viewer review it; when not, why */
  canReview: boolean;
  cannotReviewReason: string | null;
}

const reviewable = (row: {
  id: string;
  requesterId: string;
  isBreakGlass: boolean;
  ticket: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
  policy: unknown;
}): ReviewableRequest => ({ ...row, policy: readPolicySnapshot(row.policy, row.id) });

/** Break-glass access the viewer may see that nobody has reviewed yet, oldest first. */
export async function listBreakGlassToReview(viewer: SessionUser, now = new Date()): Promise<BreakGlassQueueItem[]> {
  authorize(viewer, "break_glass.review");
  const rows = await db.accessRequest.findMany({
    where: { AND: [{ isBreakGlass: true, reviewedAt: null }, visibleTo(viewer)] },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: QUEUE_SIZE,
    include: { requester: { select: { displayName: true, userPrincipalName: true } } },
  });
  const domainViewer = requestViewer(viewer);
  return rows.map((row) => {
    const request = reviewable(row);
    const may = mayReviewBreakGlass(domainViewer, request);
    const status = parseRequestStatus(row.status, row.id);
    return {
      id: row.id,
      requester: row.requester,
      clusterName: row.clusterName,
      roleName: row.roleName,
      status,
      statusLabel: describeStatus(status),
      filedAt: row.createdAt.toISOString(),
      justification: row.justification,
      isTicketOwed: isTicketOwed(request.policy, request),
      dueAt: reviewDueAt(request).toISOString(),
      isOverdue: isReviewOverdue(request, now),
      canReview: may.isAllowed,
      cannotReviewReason: may.isAllowed ? null : may.message,
    };
  });
}

export type BreakGlassReview =
  | {
      state: "reviewed";
      reviewedAt: string;
      reviewedBy: string;
      note: string;
      ticket: string | null;
      noTicketReason: string | null;
    }
  | {
      state: "due";
      dueAt: string;
      isOverdue: boolean;
      isTicketOwed: boolean;
      canReview: boolean;
      cannotReviewReason: string | null;
      /** the role's ticket format in words, for the late ticket */
      ticketHint: string | null;
    };

/** One break-glass request's review as the viewer sees it; null for other requests or ones they cannot see. */
export async function breakGlassReviewOf(
  viewer: SessionUser,
  requestId: string,
  now = new Date(),
): Promise<BreakGlassReview | null> {
  assertRequestId(requestId);
  const row = await db.accessRequest.findFirst({
    where: { AND: [{ id: requestId, isBreakGlass: true }, visibleTo(viewer)] },
    include: { reviewedBy: { select: { displayName: true, userPrincipalName: true } } },
  });
  if (!row) return null;
  const request = reviewable(row);
  if (row.reviewedAt) {
    const event = await db.auditEvent.findFirst({
      where: { requestId, type: "break_glass.reviewed" },
      orderBy: { seq: "desc" },
      select: { data: true },
    });
    const data = ZReviewedEvent.safeParse(event?.data);
    return {
      state: "reviewed",
      reviewedAt: row.reviewedAt.toISOString(),
      reviewedBy: row.reviewedBy ? `${row.reviewedBy.displayName} (${row.reviewedBy.userPrincipalName})` : "—",
      note: data.success ? data.data.note : "",
      ticket: data.success ? data.data.ticket : null,
      noTicketReason: data.success ? data.data.noTicketReason : null,
    };
  }
  const may = mayReviewBreakGlass(requestViewer(viewer), request);
  return {
    state: "due",
    dueAt: reviewDueAt(request).toISOString(),
    isOverdue: isReviewOverdue(request, now),
    isTicketOwed: isTicketOwed(request.policy, request),
    canReview: may.isAllowed,
    cannotReviewReason: may.isAllowed ? null : may.message,
    ticketHint: request.policy.ticket.message ?? null,
  };
}
