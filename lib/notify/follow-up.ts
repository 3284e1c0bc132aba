import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import type { EndingSoonJob } from "@/lib/jobs/queues";
import { log } from "@/lib/log";
import { dueFollowUps } from "./recipients";
import { recordNotificationEvent } from "./request-events";

const BATCH = 500;

/**
 * The follow-up sweep (every minute): approvers of a request still pending after the role's
 * `remindAfter` are reminded, and after `escalation.after` the escalation groups are told. Each
 * happens once per request: the event key is recorded.
 */
export async function followUpPendingRequests(now: Date): Promise<number> {
  const pending = await db.accessRequest.findMany({
    where: { status: "pending" },
    orderBy: { createdAt: "asc" },
    take: BATCH,
    select: { id: true, clusterName: true, roleName: true, createdAt: true },
  });
  let count = 0;
  for (const request of pending) {
    const route = findRole(getCatalog(), request.clusterName, request.roleName)?.role.notify;
    if (!route) continue;
    for (const kind of dueFollowUps(request.createdAt, route, now)) {
      const key = `${kind === "pending_reminder" ? "reminder" : "escalation"}:${request.id}`;
      if (await recordNotificationEvent(key, kind, request.id)) count += 1;
    }
  }
  if (count > 0) log.info({ count }, "queued reminders and escalations");
  return count;
}

/**
 * The `notify-ending-soon` job: warns the holder, unless the access has ended or moved (an
 * extension queued its own warning).
 */
export async function warnAccessEndingSoon(job: EndingSoonJob, now: Date): Promise<boolean> {
  const request = await db.accessRequest.findUnique({
    where: { id: job.requestId },
    select: { status: true, activeUntil: true },
  });
  if (request?.status !== "active" || !request.activeUntil) return false;
  if (request.activeUntil.toISOString() !== job.activeUntil || request.activeUntil <= now) return false;
  return recordNotificationEvent(
    `ending-soon:${job.requestId}:${job.activeUntil}`,
    "access_ending_soon",
    job.requestId,
  );
}
