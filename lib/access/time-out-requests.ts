import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";
import { decide } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import { notifyApprovalSettled } from "@/lib/notify/request-events";
import { lockRequest, recordRequestEvent } from "./request-record";

const BATCH = 100;

/**
 * The scheduled sweep (every minute): pending requests past their timeout become timed_out,
 * one transaction each. Reruns change nothing (the domain refuses a second time-out); what a run
 * leaves over, the next one picks up.
 */
export async function timeOutPendingRequests(now: Date): Promise<number> {
  const due = await db.accessRequest.findMany({
    where: { status: "pending", pendingExpiresAt: { lte: now } },
    orderBy: { pendingExpiresAt: "asc" },
    take: BATCH,
    select: { id: true },
  });
  const origin = { correlationId: `time-out-${randomUUID()}` };
  let count = 0;
  for (const { id } of due) {
    const isTimedOut = await db.$transaction(async (tx) => {
      const request = await lockRequest(tx, id);
      const decision = decide(request.state, { type: "time_out" }, now);
      if (!decision.isAccepted) return false;
      await recordRequestEvent(tx, request, decision.event, { viewer: null, origin, now });
      await notifyApprovalSettled(tx, id, now, "timed_out");
      return true;
    });
    if (isTimedOut) count += 1;
  }
  if (count > 0) log.info({ count }, "timed out pending requests");
  return count;
}
