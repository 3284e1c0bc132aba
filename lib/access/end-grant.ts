import "server-only";
import { randomUUID } from "node:crypto";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ProviderError, type GrantTarget } from "@/lib/cloud/access-provider";
import { providerFor } from "@/lib/cloud/providers";
import { env } from "@/lib/config/env";
import { db, type Prisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { observeExpiryLag } from "@/lib/metrics/record";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import { auditedCall, callProvider } from "./provider-call";
import { readGrantTarget } from "./stored-json";

/** Active grants whose end has passed and that no other process is removing now. */
export function isDueAndUnclaimed(now: Date) {
  return {
    status: "active",
    endAt: { lte: now },
    OR: [{ removalClaimedUntil: null }, { removalClaimedUntil: { lt: now } }],
  } satisfies Prisma.GrantWhereInput;
}

/** How long a remover holds its claim: a remover that died lets go after the job timeout. */
export const claimUntil = (now: Date) => new Date(now.getTime() + env.JOB_TIMEOUT_SECONDS * 1000);

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
    data: { removalClaimedUntil: claimUntil(now) },
  });
  if (claimed.count === 0) return false;
  return removeClaimedGrant(grantId, now, endedRequestId);
}

/** PIM-managed kinds: the service ends the assignment at the end we set when applying it. */
const isEndedByService = (target: GrantTarget) =>
  target.grant.kind === "entraPimGroup" || target.grant.kind === "armPim";

/** Removes a grant this process has claimed (endGrant, or the sweep's claim in expire-access.ts). */
export async function removeClaimedGrant(
  grantId: string,
  now: Date,
  endedRequestId?: string,
  /** told when the removal failed in passing (5xx, a dropped connection, 429): worth another try soon */
  onPassingFailure?: () => void,
): Promise<boolean> {
  const grant = await db.grant.findUniqueOrThrow({
    where: { id: grantId },
    include: { coverage: { select: { requestId: true }, orderBy: { endAt: "desc" }, take: 1 } },
  });
  const target = readGrantTarget(grant.target, grant.id);
  // The removal's provider calls go on the trail of the request that ended the grant: one that
  // ended early no longer covers it, but the ledger (or the caller) names it.
  const requestId = endedRequestId ?? grant.orphanedByRequestId ?? grant.coverage[0]?.requestId ?? null;
  const correlationId = `end-grant-${randomUUID()}`;
  // Reached its end (nobody ended it early): a PIM assignment ends by itself then, so read rather
  // than remove; only one the service still holds (its end moved at the service, or it is late) is removed.
  const isNaturalEnd = endedRequestId === undefined && grant.orphanedByRequestId === null;
  try {
    const isGone =
      isNaturalEnd &&
      isEndedByService(target) &&
      !(
        await auditedCall({ requestId, correlationId, grantKind: target.grant.kind, operation: "read" }, () =>
          providerFor(target.grant.kind).read(target),
        )
      ).isActive;
    if (!isGone) {
      await callProvider(
        "remove",
        target,
        { requestId: requestId ?? grant.id, justification: "access period ended" },
        { requestId, correlationId },
      );
    }
  } catch (error) {
    await holdBack({ id: grant.id, kind: target.grant.kind }, error, { requestId, correlationId, now });
    if (error instanceof ProviderError && error.isRetryable) onPassingFailure?.();
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
 * The removal did not happen. Too soon for PIM: deferred to the moment PIM allows. Still throttled
 * after the SDK's and our own waits: the claim is kept until the service's Retry-After, and a sweep
 * is queued for then, so the grant is neither dropped nor called again sooner. Anything else: the
 * claim is released and a later sweep tries again (one is queued shortly after a passing failure).
 */
async function holdBack(
  grant: { id: string; kind: string },
  error: unknown,
  context: { requestId: string | null; correlationId: string; now: Date },
) {
  if (error instanceof ProviderError && error.kind === "too_soon") return deferRemoval(grant, error, context);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ProviderError && error.kind === "throttled") {
    const waitMs = Math.max(1, error.retryAfterSeconds ?? env.JOB_RETRY_DELAY_SECONDS) * 1000;
    const retryAt = new Date(Date.now() + waitMs);
    await db.$transaction(async (tx) => {
      await tx.grant.updateMany({
        where: { id: grant.id, status: "active" },
        data: { removalClaimedUntil: new Date(Math.max(context.now.getTime(), Date.now()) + waitMs) },
      });
      await enqueue(tx, QUEUES.expireAccess, {}, { startAfter: retryAt });
    });
    log.warn({ grantId: grant.id, retryAt: retryAt.toISOString(), err: message }, "removal throttled; retried then");
    return;
  }
  log.error({ grantId: grant.id, err: message }, "could not remove expired access; will retry");
  await db.$transaction(async (tx) => {
    await tx.grant.updateMany({ where: { id: grant.id }, data: { removalClaimedUntil: null } });
    // A passing failure (5xx, a dropped connection) is tried again shortly, not a minute later.
    if (error instanceof ProviderError && error.isRetryable) {
      const retryAt = new Date(Date.now() + env.JOB_RETRY_DELAY_SECONDS * 1000);
      await enqueue(tx, QUEUES.expireAccess, {}, { startAfter: retryAt });
    }
  });
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
