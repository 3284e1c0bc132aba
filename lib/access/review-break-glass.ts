import "server-only";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ActionContext } from "@/lib/context";
import { db } from "@/lib/db/client";
import { checkReview, isReviewOverdue, mayReviewBreakGlass, reviewDueAt } from "@/lib/domain/break-glass-review";
import { AppError } from "@/lib/errors";
import { resolveReviewItems } from "@/lib/notify/resolve-approvals";
import { parseInput } from "@/lib/validation/parse-input";
import { lockRequest, notFound } from "./request-record";
import { visibleTo } from "./request-queries";
import { requestViewer } from "./request-view";
import { ZReviewBreakGlassInput, type TReviewBreakGlassInput } from "./schemas";

/**
 * An approver of the role or an auditor reviews break-glass access afterwards: a note, and the late
 * ticket where the request was filed without one (or why none exists). The review, the ticket and
 * the `break_glass.reviewed` audit event commit together; a second review is refused.
 */
export async function reviewBreakGlass(requestId: string, input: TReviewBreakGlassInput, context: ActionContext) {
  await authorizeAttempt(context, "break_glass.review", "break_glass.review", requestId);
  const draft = parseInput(ZReviewBreakGlassInput, input);
  await db.$transaction(async (tx) => {
    const locked = await lockRequest(tx, requestId);
    const row = await tx.accessRequest.findFirst({ where: { AND: [{ id: requestId }, visibleTo(context.viewer)] } });
    if (!row) throw notFound(requestId);
    const request = { ...row, policy: locked.policy };
    const may = mayReviewBreakGlass(requestViewer(context.viewer), request);
    if (!may.isAllowed) {
      throw new AppError(request.reviewedAt ? "CONFLICT" : "FORBIDDEN", {
        message: `refused: break-glass review of ${requestId}`,
        userMessage: may.message,
      });
    }
    const review = checkReview(request, draft);
    if (!review.isAccepted) {
      throw new AppError("INVALID_INPUT", {
        message: "refused: break-glass review input",
        userMessage: review.message,
        fields: [{ field: review.field, message: review.message }],
      });
    }
    await tx.accessRequest.update({
      where: { id: requestId },
      data: {
        reviewedAt: context.now,
        reviewedById: context.viewer.id,
        ...(review.ticket ? { ticket: review.ticket } : {}),
      },
    });
    await recordAuditEvent(tx, {
      type: "break_glass.reviewed",
      actor: { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName },
      subjectId: requestId,
      requestId,
      correlationId: context.origin.correlationId,
      occurredAt: context.now,
      data: {
        ...context.origin,
        clusterName: row.clusterName,
        roleName: row.roleName,
        note: draft.note,
        ticket: review.ticket,
        noTicketReason: review.noTicketReason,
        wasTicketOwed: review.wasTicketOwed,
        dueAt: reviewDueAt(request).toISOString(),
        wasOverdue: isReviewOverdue(request, context.now),
        ...(context.viewer.authentication ? { authentication: context.viewer.authentication } : {}),
      },
    });
    // The break-glass alert and any overdue notice are settled, in everyone's list.
    await resolveReviewItems(tx, requestId, context.viewer, context.now);
  });
}
