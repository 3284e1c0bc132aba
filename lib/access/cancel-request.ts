import "server-only";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import type { ActionContext } from "./context";
import { loadRequestView } from "./queries";
import { lockRequest, notFound, recordRequestEvent, refusalError } from "./request-record";
import { ZDecisionInput, parseInput, type TDecisionInput } from "./schemas";

/** The requester withdraws their request while it is still waiting for a decision, optionally saying why. */
export async function cancelRequest(requestId: string, context: ActionContext, input: TDecisionInput = {}) {
  const { comment } = parseInput(ZDecisionInput, input);

  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    // Someone else's request is not theirs to see, let alone cancel.
    if (request.requesterId !== context.viewer.id) throw notFound(requestId);
    const decision = decide(request.state, { type: "cancel", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    await recordRequestEvent(tx, request, decision.event, context, { comment: comment || null });
  });
  return loadRequestView(requestId, context.viewer);
}
