import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { isActive, parseRequestStatus } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import type { EndingSoonJob } from "./payloads";
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
      if (await db.$transaction((tx) => recordNotificationEvent(tx, key, kind, request.id))) count += 1;
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
  if (!request || !isActive(parseRequestStatus(request.status, job.requestId)) || !request.activeUntil) return false;
  if (request.activeUntil.toISOString() !== job.activeUntil || request.activeUntil <= now) return false;
  const key = `ending-soon:${job.requestId}:${job.activeUntil}`;
  return db.$transaction((tx) => recordNotificationEvent(tx, key, "access_ending_soon", job.requestId));
}
