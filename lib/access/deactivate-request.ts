import "server-only";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import type { ActionContext } from "./context";
import { endGrant } from "./expire-access";
import { uncover } from "./grant-ledger";
import { loadRequestView } from "./queries";
import { lockRequest, notFound, recordRequestEvent, refusalError } from "./request-record";
import { ZDecisionInput, parseInput, type TDecisionInput } from "./schemas";

/**
 * The holder ends their access before its time. The access period ends now; grants no other
 * request covers are removed at once (or by the next expiry sweep if a service is down).
 */
export async function deactivateRequest(requestId: string, context: ActionContext, input: TDecisionInput = {}) {
  const { comment } = parseInput(ZDecisionInput, input);
  const orphans = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    // Someone else's access is not theirs to see, let alone end.
    if (request.requesterId !== context.viewer.id) throw notFound(requestId);
    const decision = decide(request.state, { type: "deactivate", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    await tx.accessRequest.update({ where: { id: requestId }, data: { activeUntil: context.now } });
    await recordRequestEvent(tx, request, decision.event, context, { comment: comment || null });
    return uncover(tx, requestId, context.now);
  });
  for (const grant of orphans) await endGrant(grant.id, context.now);
  return loadRequestView(requestId, context.viewer);
}
