import "server-only";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import type { ActionContext } from "@/lib/context";
import { notifyAccessEnded } from "@/lib/notify/request-events";
import { uncover } from "./grant-ledger";
import { loadRequestView } from "./request-queries";
import { holderRefusalError, lockRequest, recordRequestEvent, saveAccessPeriod } from "./request-record";
import { ZDecisionInput, type TDecisionInput } from "./schemas";
import { parseInput } from "@/lib/validation/parse-input";

/**
 * The holder ends their access before its time. The access period ends now; the `deactivate` job,
 * queued in the same transaction, removes the grants no other request covers (and, if the role's
 * policy says so, the holder's sign-in sessions) within seconds, retrying if a service is down.
 */
export async function deactivateRequest(requestId: string, context: ActionContext, input: TDecisionInput = {}) {
  const { comment } = parseInput(ZDecisionInput, input);
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const decision = decide(request.state, { type: "deactivate", actorId: context.viewer.id }, context.now);
    if (!decision.isAccepted) throw holderRefusalError(requestId, decision);
    const isSessionRevoked = request.policy.isSessionRevokedOnEnd;
    await saveAccessPeriod(tx, request, decision.state);
    await recordRequestEvent(tx, request, decision.event, context, {
      comment: comment || null,
      sessionsRevoked: isSessionRevoked,
    });
    await notifyAccessEnded(tx, requestId, "holder", isSessionRevoked);
    const orphans = await uncover(tx, requestId, context.now);
    const job: DeactivateJob = {
      requestId,
      grantIds: orphans.map((grant) => grant.id),
      revokeSessionsOf: isSessionRevoked ? context.viewer.entraObjectId : null,
    };
    await enqueue(tx, QUEUES.deactivate, job);
  });
  return loadRequestView(requestId, context.viewer);
}
