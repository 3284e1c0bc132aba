import "server-only";
import { randomUUID } from "node:crypto";
import { revokeSignInSessions } from "@/lib/cloud/directory";
import { db } from "@/lib/db/client";
import type { DeactivateJob } from "@/lib/jobs/queues";
import { endGrant } from "./expire-access";
import { auditedCall } from "./provider-call";

/**
 * The `deactivate` job: removes the grants of access that ended early (ended by its holder or
 * revoked by an admin) and, when asked, revokes the holder's sign-in sessions. Throws while
 * anything is left, so that the queue retries it; the expiry sweep would also pick the grants up.
 */
export async function endAccessNow(job: DeactivateJob, now: Date) {
  for (const grantId of job.grantIds) await endGrant(grantId, now, job.requestId);
  const left = await db.grant.count({ where: { id: { in: job.grantIds }, status: "active", endAt: { lte: now } } });
  if (left > 0) throw new Error(`${left} of ${job.grantIds.length} grants could not be removed yet`);
  if (job.revokeSessionsOf) {
    const principalId = job.revokeSessionsOf;
    await auditedCall(
      {
        requestId: job.requestId,
        correlationId: `deactivate-${randomUUID()}`,
        grantKind: "entraUser",
        operation: "revokeSignInSessions",
      },
      () => revokeSignInSessions(principalId),
    );
  }
}
