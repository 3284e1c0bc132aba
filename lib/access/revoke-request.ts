import "server-only";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { db } from "@/lib/db/client";
import { decide, isActive } from "@/lib/domain/request-state";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import type { ActionContext } from "@/lib/context";
import { notifyAccessRevoked } from "@/lib/notify/request-events";
import { uncover } from "./grant-ledger";
import { loadRequestView } from "./request-queries";
import { lockRequest, recordRequestEvent, refusalError, saveAccessPeriod } from "./request-record";
import { ZRevokeInput, type TRevokeInput } from "./schemas";
import { parseInput } from "@/lib/validation/parse-input";

/**
 * A platform admin takes access away: active access ends now, approved or scheduled access never
 * starts. Grants no other request covers are removed by the `deactivate` job queued in the same
 * transaction, which also revokes the holder's sign-in sessions when asked or when policy says so.
 */
export async function revokeRequest(requestId: string, input: TRevokeInput, context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "request.revoke", requestId);
  const { reason, endSessions } = parseInput(ZRevokeInput, input);
  await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const wasActive = isActive(request.state.status);
    const decision = decide(request.state, { type: "revoke", actorId: context.viewer.id, reason }, context.now);
    if (!decision.isAccepted) throw refusalError(decision);
    const isSessionRevoked = wasActive && (endSessions || request.policy.isSessionRevokedOnEnd);
    await saveAccessPeriod(tx, request, decision.state);
    await recordRequestEvent(tx, request, decision.event, context, { sessionsRevoked: isSessionRevoked });
    await notifyAccessRevoked(tx, requestId, {
      actorId: context.viewer.id,
      reason,
      isSessionRevoked,
      wasActive,
    });
    const orphans = await uncover(tx, requestId, context.now);
    const holder = await tx.user.findUniqueOrThrow({ where: { id: request.requesterId } });
    const job: DeactivateJob = {
      requestId,
      grantIds: orphans.map((grant) => grant.id),
      revokeSessionsOf: isSessionRevoked ? holder.entraObjectId : null,
    };
    await enqueue(tx, QUEUES.deactivate, job);
  });
  return loadRequestView(requestId, context.viewer);
}
