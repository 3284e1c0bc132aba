import "server-only";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import type { ActionContext } from "@/lib/context";
import { loadRequestView } from "./request-queries";
import { lockRequest, recordRequestEvent, refusalError } from "./request-record";

/**
 * A platform admin tries a failed activation again (the service is back, a permission was fixed).
 * The request returns to `approved` and gets a fresh activation job; its access period starts
 * when that activation succeeds, since the failed one never gave access.
 */
export async function retryActivation(requestId: string, context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "request.retry", requestId);
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const decision = decide(request.state, { type: "retry_activation", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    const previous = await tx.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
    await tx.accessRequest.update({
      where: { id: requestId },
      data: { activeFrom: decision.state.activeFrom, activeUntil: decision.state.activeUntil, failureReason: null },
    });
    await recordRequestEvent(tx, request, decision.event, context, { previousFailure: previous.failureReason });
  });
  return loadRequestView(requestId, context.viewer);
}
