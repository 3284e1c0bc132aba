import "server-only";
import { randomUUID } from "node:crypto";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ProviderError } from "@/lib/cloud/access-provider";
import { env } from "@/lib/config/env";
import { db, type Prisma } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import { observeExpiryLag } from "@/lib/metrics/record";
import { notifyAccessEnded } from "@/lib/notify/request-events";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import { callProvider } from "./provider-call";
import { readGrantTarget } from "./stored-json";
import { lockRequest, recordRequestEvent } from "./request-record";

const BATCH = 50;

/**
 * Removes a grant whose end has passed, then records it as ended. If the removal fails, the grant
 * stays due and the next sweep tries again: access never silently outlives its end in the ledger.
 * A grant that a new request extended meanwhile is left alone. Whoever removes a grant claims it
 * first, so that the sweeps of several replicas, the job at its end and "End now" share the due
 * grants instead of each calling the service for the same one; the claim of a remover that died
 * lapses after JOB_TIMEOUT_SECONDS.
 */
export async function endGrant(grantId: string, now: Date, endedRequestId?: string): Promise<boolean> {
  const claimed = await db.grant.updateMany({
    where: { id: grantId, ...isDueAndUnclaimed(now) },
    data: { removalClaimedUntil: new Date(now.getTime() + env.JOB_TIMEOUT_SECONDS * 1000) },
  });
  if (claimed.count === 0) return false;
  const grant = await db.grant.findUniqueOrThrow({
    where: { id: grantId },
    include: { coverage: { select: { requestId: true }, orderBy: { endAt: "desc" }, take: 1 } },
  });
  const target = readGrantTarget(grant.target, grant.id);
  // The removal's provider calls go on the trail of the request that ended the grant: one that
  // ended early no longer covers it, but the ledger (or the caller) names it.
  const requestId = endedRequestId ?? grant.orphanedByRequestId ?? grant.coverage[0]?.requestId ?? null;
  const correlationId = `end-grant-${randomUUID()}`;
  try {
    await callProvider(
      "remove",
      target,
      { requestId: requestId ?? grant.id, justification: "access period ended" },
      { requestId, correlationId },
    );
  } catch (error) {
    if (error instanceof ProviderError && error.kind === "too_soon") {
      await deferRemoval({ id: grant.id, kind: target.grant.kind }, error, { requestId, correlationId, now });
      return false;
    }
    log.error(
      { grantId, err: error instanceof Error ? error.message : String(error) },
      "could not remove expired access; will retry",
    );
    await db.grant.updateMany({ where: { id: grantId }, data: { removalClaimedUntil: null } });
    return false;
  }
  const ended = await db.grant.updateMany({
    where: { id: grantId, status: "active", endAt: { lte: now } },
    data: { status: "ended", endedAt: now, removalClaimedUntil: null },
  });
  if (ended.count === 1) observeExpiryLag(grant.endAt);
  // Not ended by us: either a new request extended the grant while we removed it (apply it again
  // for its new end), or another remover, whose claim ours outlasted, ended it first (nothing to do).
  const extended =
    ended.count === 0
      ? await db.grant.findFirst({ where: { id: grantId, status: "active", endAt: { gt: now } } })
      : null;
  if (extended) {
    const current = await db.grant.update({ where: { id: grantId }, data: { removalClaimedUntil: null } });
    await callProvider(
      "apply",
      target,
      {
        startAt: now,
        endAt: current.endAt,
        justification: "access re-applied after a concurrent extension",
        requestId: requestId ?? grant.id,
      },
      { requestId, correlationId },
    );
  }
  return ended.count === 1;
}

/**
 * PIM refused the removal because the assignment is younger than its minimum (lib/cloud/pim-rules.ts):
 * the grant's end moves to the earliest moment PIM allows, when a `deactivate` job removes it, and
 * the audit says so; the request page shows that moment. Nothing fails and nothing is left behind.
 */
async function deferRemoval(
  grant: { id: string; kind: string },
  error: ProviderError,
  context: { requestId: string | null; correlationId: string; now: Date },
) {
  const { requestId, correlationId, now } = context;
  // Our clock and the service's may differ: if its moment has passed here already, try again shortly.
  const soonest = new Date(now.getTime() + env.JOB_RETRY_DELAY_SECONDS * 1000);
  const at = error.notBefore && error.notBefore > soonest ? error.notBefore : soonest;
  await db.$transaction(async (tx) => {
    await lockAuditChain(tx); // the lock order: audit chain, then grant rows
    // A request that covers the grant anew meanwhile keeps its later end.
    const deferred = await tx.grant.updateMany({
      where: { id: grant.id, status: "active", endAt: { lte: at } },
      data: { endAt: at, removalClaimedUntil: null },
    });
    await tx.grant.updateMany({ where: { id: grant.id }, data: { removalClaimedUntil: null } });
    if (deferred.count === 0) return;
    await recordAuditEvent(tx, {
      type: "access.removal_deferred",
      actor: null,
      subjectId: grant.id,
      requestId: requestId ?? undefined,
      correlationId,
      occurredAt: now,
      data: { grantId: grant.id, grantKind: grant.kind, notBefore: at.toISOString(), reason: error.message },
    });
    if (requestId) {
      const job: DeactivateJob = { requestId, grantIds: [grant.id], revokeSessionsOf: null };
      await enqueue(tx, QUEUES.deactivate, job, { startAfter: at });
    } else {
      // No request to put it on the trail of: the expiry sweep at that moment removes it.
      await enqueue(tx, QUEUES.expireAccess, {}, { startAfter: at });
    }
  });
  log.info({ grantId: grant.id, notBefore: at.toISOString() }, "PIM keeps the assignment a while; removal deferred");
}

/** Active grants whose end has passed and that no other process is removing now. */
function isDueAndUnclaimed(now: Date) {
  return {
    status: "active",
    endAt: { lte: now },
    OR: [{ removalClaimedUntil: null }, { removalClaimedUntil: { lt: now } }],
  } satisfies Prisma.GrantWhereInput;
}

/**
 * The expiry sweep (every minute, and at start-up): requests whose access period has passed become
 * `expired`, and grants no request covers any more are removed. A grant's end is the latest end of
 * the requests it serves, so one request ending never removes access another still covers.
 */
export async function expireDueAccess(now: Date): Promise<{ requests: number; grants: number }> {
  const origin = { correlationId: `expire-${randomUUID()}` };
  let requests = 0;
  const dueRequests = await db.accessRequest.findMany({
    where: { status: "active", activeUntil: { lte: now } },
    take: BATCH,
    select: { id: true },
  });
  for (const { id } of dueRequests) {
    const isExpired = await db.$transaction(async (tx) => {
      const request = await lockRequest(tx, id);
      const decision = decide(request.state, { type: "expire" }, now);
      if (!decision.isAccepted) return false;
      await recordRequestEvent(tx, request, decision.event, { viewer: null, origin, now });
      await notifyAccessEnded(tx, id, "expiry");
      return true;
    });
    if (isExpired) requests += 1;
  }
  let grants = 0;
  const dueGrants = await db.grant.findMany({
    where: isDueAndUnclaimed(now),
    take: BATCH,
    select: { id: true },
  });
  for (const { id } of dueGrants) if (await endGrant(id, now)) grants += 1;
  if (requests + grants > 0 || dueGrants.length > 0) {
    log.info({ requests, grants, dueGrants: dueGrants.length }, "expired access");
  }
  return { requests, grants };
}
