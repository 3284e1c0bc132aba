import "server-only";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import type { ActionContext } from "./context";
import { loadRequestView } from "./queries";
import { lockRequest, notFound, recordRequestEvent, refusalError } from "./request-record";
import { ZDecisionInput, fieldProblems, type TDecisionInput } from "./schemas";

/** The requester withdraws their request while it is still waiting for a decision, optionally saying why. */
export async function cancelRequest(requestId: string, context: ActionContext, input: TDecisionInput = {}) {
  const parsed = ZDecisionInput.safeParse(input);
  if (!parsed.success) {
    const fields = fieldProblems(parsed.error);
    throw new AppError("INVALID_INPUT", {
      message: "bad cancel input",
      userMessage: fields.map((f) => f.message).join(" "),
      fields,
    });
  }
  const comment = parsed.data.comment || null;
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    // Someone else's request is not theirs to see, let alone cancel.
    if (request.requesterId !== context.viewer.id) throw notFound(requestId);
    const decision = decide(request.state, { type: "cancel", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    await recordRequestEvent(tx, request, decision.event, context, { comment });
  });
  return loadRequestView(requestId, context.viewer);
}
