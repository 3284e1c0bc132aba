import "server-only";
import { authorizeAttempt, recordRefusal } from "@/lib/auth/refusals";
import { verifyStepUp } from "@/lib/auth/step-up";
import { liveGroupIds } from "@/lib/cloud/directory";
import { db } from "@/lib/db/client";
import { checkDecider } from "@/lib/domain/policy";
import { decide, isAwaitingDecision } from "@/lib/domain/request-state";
import { AppError, isAppError } from "@/lib/errors";
import { getBoss } from "@/lib/jobs/boss";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { observeDecision } from "@/lib/metrics/record";
import { notifyApprovalSettled, notifyDecision } from "@/lib/notify/request-events";
import type { ActionContext } from "@/lib/context";
import { loadRequestView } from "./request-queries";
import { lockRequest, notFound, readPolicySnapshot, recordRequestEvent, refusalError } from "./request-record";
import { ZApproveInput, type TApproveInput } from "./schemas";
import { parseInput } from "@/lib/validation/parse-input";

/**
 * Approve or deny (approve-request.ts, deny-request.ts). The approver's groups are read live from
 * Graph before anything is written; the row lock makes concurrent decisions take turns; the
 * unique (request, decider) index is the last guard against counting one person twice.
 */
export async function decideRequest(
  outcome: "approve" | "deny",
  requestId: string,
  input: TApproveInput,
  context: ActionContext,
) {
  const refuse = (reason: string) =>
    recordRefusal(context, { kind: "request.decide", permission: "request.approve", reason, subjectId: requestId });
  await authorizeAttempt(context, "request.approve", "request.decide", requestId);
  await enforceRateLimit("request.decide", context.viewer.id, context.now);
  const { comment, stepUpToken } = parseInput(ZApproveInput, input);
  // 404 unless the viewer may see the request: an approver not routed to it learns nothing of it,
  // but the attempt outside their groups is audited.
  await loadRequestView(requestId, context.viewer).catch(async (error: unknown) => {
    if (isAppError(error) && error.code === "NOT_FOUND" && (await db.accessRequest.count({ where: { id: requestId } })))
      await refuse("not routed to the approver's groups");
    throw error;
  });
  const existing = await db.accessRequest.findUnique({
    where: { id: requestId },
    select: { requesterId: true, policy: true, createdAt: true },
  });
  if (!existing) throw notFound(requestId);

  const policy = readPolicySnapshot(existing.policy, requestId);
  const check = checkDecider({
    policy,
    requesterId: existing.requesterId,
    actorId: context.viewer.id,
    actorGroupIds: await liveGroupIds(context.viewer.entraObjectId),
  });
  if (!check.isAllowed) {
    await refuse(`decider refused: ${check.reason}`);
    throw new AppError("FORBIDDEN", { message: `decider refused: ${check.reason}`, userMessage: check.message });
  }

  // A role may ask for a fresh sign-in before it is granted (policy `stepUp`), checked before anything
  // is written: a refusal leaves no decision and no event. Denying needs none: refusing access
  // cannot grant anything, and an approver must never be kept from stopping a request.
  const stepUp =
    outcome === "approve" && policy.stepUp
      ? await verifyStepUp(stepUpToken, context.viewer, policy.stepUp, context.now)
      : undefined;

  await getBoss(); // started before the transaction, which queues the notification (and an approval its activation)
  const decided = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const command =
      outcome === "approve"
        ? ({ type: "approve", actorId: context.viewer.id, comment } as const)
        : ({ type: "deny", actorId: context.viewer.id, comment } as const);
    const decision = decide(request.state, command, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    await tx.decision.create({
      data: { requestId, deciderId: context.viewer.id, outcome, comment: comment || null, decidedAt: context.now },
    });
    await recordRequestEvent(tx, request, decision.event, context, stepUp ? { stepUp } : {});
    // The requester and the other approvers hear who decided.
    await notifyDecision(tx, requestId, outcome, context.viewer.id);
    // The last approval needed, or a denial: nobody is asked any more.
    if (!isAwaitingDecision(decision.state.status)) await notifyApprovalSettled(tx, requestId, context.now);
    return decision.event;
  });
  observeDecision(decided, existing.createdAt, context.now);
  return loadRequestView(requestId, context.viewer);
}
