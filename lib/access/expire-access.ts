import "server-only";
import { randomUUID } from "node:crypto";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import { notifyAccessEnded } from "@/lib/notify/request-events";
import { claimUntil, removeClaimedGrant } from "./end-grant";
import { lockRequest, recordRequestEvent } from "./request-record";

export { endGrant } from "./end-grant";

const REQUEST_BATCH = 50;

/**
 * Removals run side by side, per service, each claiming the next due grant when it is free: enough
 * to reach Azure's floor (ARM ~10 writes/s, Graph 20/s once their bursts are spent) at tens of
 * milliseconds a call, few enough for the database pool the audit of every call needs.
 */
export const REMOVALS_PER_SERVICE = Math.max(1, Math.min(8, Math.floor((env.DATABASE_POOL_SIZE - 2) / 2)));

/** Which service removes a grant, by its binding key (`<kind>:…`, lib/access/grant-ledger.ts). */
const SERVICES = { arm: "arm%", graph: "entra%" } as const;
type Service = keyof typeof SERVICES;

/**
 * Claims the due grant of a service that ends first, if any: one statement, so that concurrent
 * sweeps (cron, the job at each grant's end, every replica) each take a different grant
 * (`FOR UPDATE SKIP LOCKED`) instead of reading the same due set and calling the service twice.
 */
async function claimNextDue(service: Service, now: Date, skip: string[]): Promise<string | undefined> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE grants SET removal_claimed_until = ${claimUntil(now)}
    WHERE id = (
      SELECT id FROM grants
      WHERE status = 'active' AND end_at <= ${now}
        AND (removal_claimed_until IS NULL OR removal_claimed_until < ${now})
        AND binding_key LIKE ${SERVICES[service]}
        AND NOT (id = ANY(${skip}::uuid[]))
      ORDER BY end_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  return rows[0]?.id;
}

/**
 * Removes a service's due grants, earliest end first, REMOVALS_PER_SERVICE at a time. A sweep that
 * runs in real time keeps taking grants as they come due; one given a later `now` (tests) uses it.
 * A failed grant waits for a later sweep (a passing failure, for the retry delay), a throttled one for
 * its Retry-After.
 */
async function removeDueGrants(service: Service, now: Date) {
  const tried = new Set<string>();
  let ended = 0;
  const worker = async () => {
    for (;;) {
      const dueBy = new Date(Math.max(now.getTime(), Date.now()));
      const id = await claimNextDue(service, dueBy, [...tried]);
      if (!id) return;
      tried.add(id);
      // A sweep that runs on while grants keep coming due tries a passing failure again after the
      // retry delay, rather than after the whole sweep.
      const tryAgainLater = () => {
        setTimeout(() => tried.delete(id), env.JOB_RETRY_DELAY_SECONDS * 1000).unref();
      };
      try {
        if (await removeClaimedGrant(id, dueBy, undefined, tryAgainLater)) ended += 1;
      } catch (error) {
        // Its claim lapses after the job timeout; the other removals go on meanwhile.
        log.error({ grantId: id, err: error instanceof Error ? error.message : String(error) }, "grant removal failed");
      }
    }
  };
  await Promise.all(Array.from({ length: REMOVALS_PER_SERVICE }, worker));
  return { ended, tried: tried.size };
}

/** Requests whose access period has passed become `expired`, a batch at a time until none is left. */
async function expireDueRequests(now: Date, origin: { correlationId: string }) {
  let expired = 0;
  const seen: string[] = [];
  for (;;) {
    const due = await db.accessRequest.findMany({
      where: { status: "active", activeUntil: { lte: now }, id: { notIn: seen } },
      orderBy: { activeUntil: "asc" },
      take: REQUEST_BATCH,
      select: { id: true },
    });
    for (const { id } of due) {
      seen.push(id);
      const isExpired = await db.$transaction(async (tx) => {
        const request = await lockRequest(tx, id);
        const decision = decide(request.state, { type: "expire" }, now);
        if (!decision.isAccepted) return false;
        await recordRequestEvent(tx, request, decision.event, { viewer: null, origin, now });
        await notifyAccessEnded(tx, id, "expiry");
        return true;
      });
      if (isExpired) expired += 1;
    }
    if (due.length < REQUEST_BATCH) return expired;
  }
}

/**
 * The expiry sweep (every minute, at each grant's end, and at start-up): requests whose access
 * period has passed become `expired`, and grants no request covers any more are removed, ARM's and
 * Graph's side by side. A grant's end is the latest end of the requests it serves, so one request
 * ending never removes access another still covers.
 */
export async function expireDueAccess(now: Date): Promise<{ requests: number; grants: number }> {
  const origin = { correlationId: `expire-${randomUUID()}` };
  const [requests, arm, graph] = await Promise.all([
    expireDueRequests(now, origin),
    removeDueGrants("arm", now),
    removeDueGrants("graph", now),
  ]);
  const grants = arm.ended + graph.ended;
  if (requests + arm.tried + graph.tried > 0) {
    log.info({ requests, grants, tried: { arm: arm.tried, graph: graph.tried } }, "expired access");
  }
  return { requests, grants };
}
