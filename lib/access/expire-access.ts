import "server-only";
import { randomUUID } from "node:crypto";
import type { GrantTarget } from "@/lib/cloud/access-provider";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import { callProvider } from "./provider-call";
import { lockRequest, recordRequestEvent } from "./request-record";

const BATCH = 50;

/**
 * Removes a grant whose end has passed, then records it as ended. If the removal fails, the grant
 * stays due and the next sweep tries again: access never silently outlives its end in the ledger.
 * A grant that a new request extended meanwhile is left alone.
 */
export async function endGrant(grantId: string, now: Date, endedRequestId?: string): Promise<boolean> {
  const grant = await db.grant.findUnique({
    where: { id: grantId },
    include: { coverage: { select: { requestId: true } } },
  });
  if (!grant || grant.status !== "active" || grant.endAt > now) return false;
  const target = grant.target as unknown as GrantTarget;
  // A request that ended early no longer covers the grant: the caller names it, so the removal's
  // provider calls stay on that request's audit trail.
  const requestId = endedRequestId ?? grant.coverage.at(-1)?.requestId ?? null;
  const correlationId = `end-grant-${randomUUID()}`;
  try {
    await callProvider(
      "remove",
      target,
      { requestId: requestId ?? grant.id, justification: "access period ended" },
      { requestId, correlationId },
    );
  } catch (error) {
    log.error(
      { grantId, err: error instanceof Error ? error.message : String(error) },
      "could not remove expired access; will retry",
    );
    return false;
  }
  const ended = await db.grant.updateMany({
    where: { id: grantId, status: "active", endAt: { lte: now } },
    data: { status: "ended", endedAt: now },
  });
  if (ended.count === 0) {
    // Extended by a new request while we removed it: apply it again for the new end.
    const current = await db.grant.findUniqueOrThrow({ where: { id: grantId } });
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
      return true;
    });
    if (isExpired) requests += 1;
  }
  let grants = 0;
  const dueGrants = await db.grant.findMany({
    where: { status: "active", endAt: { lte: now } },
    take: BATCH,
    select: { id: true },
  });
  for (const { id } of dueGrants) if (await endGrant(id, now)) grants += 1;
  if (requests + grants > 0 || dueGrants.length > 0) {
    log.info({ requests, grants, dueGrants: dueGrants.length }, "expired access");
  }
  return { requests, grants };
}
