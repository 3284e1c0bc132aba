import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { assertRequestId, notFound } from "@/lib/access/request-record";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ActionContext } from "@/lib/context";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { log } from "@/lib/log";
import { collectActivity, loadActivitySubject, type ActivitySubject } from "./collect-activity";
import { ActivityThrottledError } from "./query-activity";
import { storeActivitySummary } from "./store-activity";
import type { ActivitySummary } from "./types";

/**
 * An auditor or admin reads a request's activity again now ("Check activity now"): for an ended
 * request the same summary the job makes, for an active one the calls so far (isComplete false).
 * Recorded on the request's trail with who asked, like the job's. Rate-limited per person: each
 * check costs Log Analytics queries (https://learn.microsoft.com/azure/azure-monitor/service-limits#log-analytics-workspaces:
 * 200 requests per 30 seconds per user or app).
 */
export async function summariseActivityNow(context: ActionContext, requestId: string): Promise<ActivitySummary> {
  await authorizeAttempt(context, "activity.check", "activity.check", requestId);
  assertRequestId(requestId);
  const subject = await loadActivitySubject(requestId);
  if (!subject) {
    const exists = await db.accessRequest.count({ where: { id: requestId } });
    if (!exists) throw notFound(requestId);
    throw new AppError("CONFLICT", {
      message: `request ${requestId}: no access period, no activity to read`,
      userMessage: "This request's access never began, so there is no activity to check.",
    });
  }
  await enforceRateLimit("activity.check", context.viewer.id, context.now);
  const { viewer, origin, now } = context;
  try {
    const { summary } = await collectActivity(subject, { correlationId: origin.correlationId, now });
    await storeActivitySummary(summary, {
      actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
      origin,
      now,
    });
    return summary;
  } catch (error) {
    if (error instanceof ActivityThrottledError) {
      throw new AppError("RATE_LIMITED", {
        message: error.message,
        userMessage: `Log Analytics is busy with AKS JIT's queries: nothing was recorded. Try again in ${error.retryAfterSeconds ?? 30} seconds.`,
        retryAfterSeconds: error.retryAfterSeconds ?? 30,
      });
    }
    throw error;
  }
}

/**
 * The `summarise-activity` job, queued when a request's access ends for after the tokens issued
 * before the end have run out and Log Analytics has ingested their logs. Idempotent: a request whose
 * complete summary is stored already is left alone; throttling and outages throw, and the queue
 * retries with backoff, then lists the job among the failed ones.
 */
export async function summariseActivityJob(requestId: string, now: Date): Promise<void> {
  const subject = await loadActivitySubject(requestId);
  if (!subject) return;
  const stored = await db.requestActivity.findUnique({ where: { requestId }, select: { isComplete: true } });
  if (stored?.isComplete) return;
  const correlationId = `activity-${requestId}`;
  const { summary, stats } = await collectHonouringRetryAfter(subject, { correlationId, now });
  await storeActivitySummary(summary, { actor: null, origin: { correlationId }, now });
  log.info({ requestId, status: summary.status, ...stats }, "activity summarised");
}

/**
 * Log Analytics throttled the app past the SDK's own retries: waits as long as it asked
 * (Retry-After) and reads again, within half the job's time budget; beyond it the job fails and the
 * queue retries it later with backoff.
 */
async function collectHonouringRetryAfter(subject: ActivitySubject, context: { correlationId: string; now: Date }) {
  let waitedSeconds = 0;
  for (;;) {
    try {
      return await collectActivity(subject, context);
    } catch (error) {
      if (!(error instanceof ActivityThrottledError)) throw error;
      const wait = Math.max(1, error.retryAfterSeconds ?? env.JOB_RETRY_DELAY_SECONDS);
      if (waitedSeconds + wait > env.JOB_TIMEOUT_SECONDS / 2) throw error;
      log.info({ requestId: subject.id, wait }, "Log Analytics is throttling; waiting as it asked");
      await sleep(wait * 1000);
      waitedSeconds += wait;
    }
  }
}
