import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { isReviewOverdue } from "@/lib/domain/break-glass-review";
import { readPolicySnapshot } from "@/lib/domain/policy-snapshot";
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
 * The break-glass review sweep (with the follow-ups, every minute): break-glass access nobody has
 * reviewed within its policy's `breakGlass.reviewWithin` raises one "review overdue" notification
 * per request, to the role's escalation groups and the auditors. Once: the event key is recorded.
 */
export async function escalateOverdueBreakGlassReviews(now: Date): Promise<number> {
  const unreviewed = await db.accessRequest.findMany({
    where: { isBreakGlass: true, reviewedAt: null },
    orderBy: { createdAt: "asc" },
    take: BATCH,
    select: {
      id: true,
      requesterId: true,
      isBreakGlass: true,
      ticket: true,
      reviewedAt: true,
      createdAt: true,
      policy: true,
    },
  });
  let count = 0;
  for (const row of unreviewed) {
    if (!isReviewOverdue({ ...row, policy: readPolicySnapshot(row.policy, row.id) }, now)) continue;
    const key = `break-glass-review-overdue:${row.id}`;
    if (await db.$transaction((tx) => recordNotificationEvent(tx, key, "break_glass_review_overdue", row.id))) {
      count += 1;
    }
  }
  if (count > 0) log.info({ count }, "escalated overdue break-glass reviews");
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
