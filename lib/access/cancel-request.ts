import "server-only";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import type { ActionContext } from "@/lib/context";
import { notifyApprovalSettled } from "@/lib/notify/request-events";
import { loadRequestView } from "./request-queries";
import { holderRefusalError, lockRequest, recordRequestEvent } from "./request-record";
import { ZDecisionInput, type TDecisionInput } from "./schemas";
import { parseInput } from "@/lib/validation/parse-input";

/** The requester withdraws their request while it is still waiting for a decision, optionally saying why. */
export async function cancelRequest(requestId: string, context: ActionContext, input: TDecisionInput = {}) {
  const { comment } = parseInput(ZDecisionInput, input);

  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const decision = decide(request.state, { type: "cancel", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw holderRefusalError(requestId, decision);
    await recordRequestEvent(tx, request, decision.event, context, { comment: comment || null });
    await notifyApprovalSettled(tx, requestId, context.now, "cancelled");
  });
  return loadRequestView(requestId, context.viewer);
}
