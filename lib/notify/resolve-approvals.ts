import "server-only";
import type { Prisma } from "@/lib/db/client";
import { parseRequestStatus } from "@/lib/domain/request-state";
import { describeResolution, describeReviewResolution, type Person } from "./messages";
import { APPROVAL_NEEDED_KINDS, REVIEW_NEEDED_KINDS } from "./recipients";

/**
 * "Approval needed" items (request filed, reminders, escalations, break-glass) resolve once their
 * request no longer waits for anyone: each shows how it was settled ("Approved by p02@… at …",
 * "Cancelled by the requester at …") and no longer counts as unread. Called in the transaction of
 * the change that settled it, and by the fan-out for items written after that change committed.
 * Returns how many items it resolved; nothing while the request still waits.
 */
export async function resolveApprovalItems(tx: Prisma.TransactionClient, requestId: string, now: Date) {
  const request = await tx.accessRequest.findUnique({
    where: { id: requestId },
    select: {
      id: true,
      status: true,
      updatedAt: true,
      decisions: { orderBy: { decidedAt: "desc" }, take: 1, include: { decider: true } },
    },
  });
  if (!request) return 0;
  const last = request.decisions[0];
  const resolution = describeResolution({
    status: parseRequestStatus(request.status, request.id),
    decider: last?.decider ?? null,
    decidedAt: last?.decidedAt ?? null,
    at: request.updatedAt ?? now,
  });
  if (!resolution) return 0;
  const { count } = await tx.notification.updateMany({
    where: { requestId, kind: { in: [...APPROVAL_NEEDED_KINDS] }, resolvedAt: null },
    data: { resolvedAt: now, resolution },
  });
  return count;
}

/**
 * Break-glass items (the alert, the overdue notice) ask for a review after the fact: the review
 * resolves them for everyone, in its own transaction ("Reviewed by p01@… at …"). Returns how many.
 */
export async function resolveReviewItems(tx: Prisma.TransactionClient, requestId: string, reviewer: Person, now: Date) {
  const { count } = await tx.notification.updateMany({
    where: { requestId, kind: { in: [...REVIEW_NEEDED_KINDS] }, resolvedAt: null },
    data: { resolvedAt: now, resolution: describeReviewResolution(reviewer, now) },
  });
  return count;
}
