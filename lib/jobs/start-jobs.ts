import "server-only";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type PgBoss from "pg-boss";
import type { z } from "zod";
import { activateRequest, giveUpActivation } from "@/lib/access/activate-request";
import { applyExtension } from "@/lib/access/apply-extension";
import { endAccessNow } from "@/lib/access/end-access-now";
import { expireDueAccess } from "@/lib/access/expire-access";
import { CLUSTERS_AT_ONCE, reconcileClusterJob, startReconcilePass } from "@/lib/access/reconcile-access";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { summariseActivityJob } from "@/lib/activity/summarise-activity";
import { verifyAuditHistoryOnSchedule } from "@/lib/audit/verification";
import { env } from "@/lib/config/env";
import { readStoredJson } from "@/lib/domain/policy-snapshot";
import { log, withCorrelation } from "@/lib/log";
import { deliverNotification } from "@/lib/notify/deliver-notification";
import {
  escalateOverdueBreakGlassReviews,
  followUpPendingRequests,
  warnAccessEndingSoon,
} from "@/lib/notify/follow-up";
import { notifyRecipients } from "@/lib/notify/notify-recipients";
import { ZDeliveryJob, ZEndingSoonJob, ZNotifyJob } from "@/lib/notify/payloads";
import { checkPostureJob } from "@/lib/posture/check-posture";
import { changeFeed } from "@/lib/db/change-feed";
import { expectPolling, getBoss, holdingJob, markProcessRunsJobs, registerWorker, wakeWorkers } from "./boss";
import { handBack } from "./hand-back";
import {
  QUEUES,
  ZActivateJob,
  ZDeactivateJob,
  ZExtendJob,
  ZReconcileClusterJob,
  ZSummariseActivityJob,
  type QueueName,
} from "./queues";

/**
 * A job runs with its own correlation id on every log line and, when tracing is on, as a span that
 * its database queries and Graph/ARM calls hang under.
 */
function inJobScope(queue: QueueName, jobId: string | undefined, work: () => Promise<void>) {
  return withCorrelation(`job-${queue}-${jobId ?? "none"}`, () =>
    trace.getTracer("aks-jit").startActiveSpan(`job ${queue}`, { kind: SpanKind.CONSUMER }, async (span) => {
      try {
        await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    }),
  );
}

/**
 * Fetches a queued access job at once rather than at the next poll: its insert notifies `job_queued`
 * at commit (lib/jobs/queue-setup.ts), from this process or any other, and this process's LISTEN
 * connection (lib/db/change-feed.ts) hears it. Polling stays the net: a notification missed while
 * the connection was down costs one polling interval, and every worker fetches once it is back.
 */
function wakeOnQueuedJobs() {
  const globalForWake = globalThis as unknown as { isWakingOnQueuedJobs?: boolean };
  if (globalForWake.isWakingOnQueuedJobs) return;
  globalForWake.isWakingOnQueuedJobs = true;
  changeFeed.subscribe((change) => {
    if (change === null) void wakeWorkers();
    else if (change.kind === "jobQueued") void wakeWorkers(change.key);
  });
  changeFeed.ready().catch((error: unknown) => {
    log.warn({ err: error }, "job wake-up: not listening yet; queued jobs wait for the next poll meanwhile");
  });
}

/** A cron expression for "every N minutes" (hourly when N is 60 or more). */
const everyMinutes = (n: number) => (n < 60 ? `*/${n} * * * *` : "0 * * * *");

/**
 * Starts the queue and this process's workers: the worker deployment, or the web process when
 * JOBS_IN_WEB (the demo). Several may run, since pg-boss hands each job to one of them and every
 * handler is idempotent; each cron schedule sends one job per tick whatever the number of processes.
 * `pollingIntervalSeconds` is the batch queues' polling interval (tests lengthen it to show that a
 * queued access job is taken at once without it).
 */
export async function startJobs({ pollingIntervalSeconds = 0.5 }: { pollingIntervalSeconds?: number } = {}) {
  markProcessRunsJobs();
  const boss = await getBoss();
  // Every handler's failure is logged here, with its queue and job: pg-boss only stores it.
  const work = <T extends object>(queue: QueueName, handler: (job: PgBoss.Job<T> | undefined) => Promise<void>) => {
    expectPolling([queue]);
    return boss.work<T>(queue, async ([job]) => {
      try {
        await holdingJob(queue, () => inJobScope(queue, job?.id, () => handler(job)));
      } catch (error) {
        log.warn({ queue, jobId: job?.id, err: error }, "job failed");
        throw error;
      }
    });
  };
  // Work that a person waits for (access to apply or remove, mail) comes in bursts: these queues
  // take several jobs a poll, every half second (pg-boss's shortest), and run them side by side.
  // pg-boss waits out the polling interval after every fetch, so one job a poll every 2 s would cap
  // a worker at half an activation a second. Each job fails on its own, so it is retried and listed
  // on its own; the batch stays within the process's database pool. Their data is parsed, not cast:
  // a job queued by another version fails with its name, and is listed among the failed jobs.
  const workBatch = async <S extends z.ZodType>(
    queue: QueueName,
    schema: S,
    batchSize: number,
    handler: (data: z.output<S>, job: PgBoss.Job<unknown>) => Promise<void>,
  ) => {
    expectPolling([queue]);
    const options = { batchSize, pollingIntervalSeconds, includeMetadata: true } as const;
    const workerId = await boss.work<unknown>(queue, options, async (jobs) => {
      let notHandedBack = 0;
      await Promise.all(
        jobs.map(async (job) => {
          const where = { table: `pgboss.job (${queue})`, rowId: job.id, column: "data" };
          const run = () => handler(readStoredJson(schema, job.data, where), job);
          try {
            await holdingJob(queue, () => inJobScope(queue, job.id, run));
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            log.warn({ queue, jobId: job.id, err: message }, "job failed");
            // The others of the batch complete when this handler returns; this one is retried, once
            // the database answers if it is restarting.
            await handBack(boss, queue, job, message).catch((failError: unknown) => {
              notHandedBack += 1;
              log.warn({ queue, jobId: job.id, err: failError }, "could not hand the job back");
            });
          }
        }),
      );
      // pg-boss completes every job of the batch that is still active when this returns: one whose
      // failure the database never took would count as done. Failing the batch retries them all
      // instead (every handler is idempotent), or, if that fails too, when their claim expires.
      if (notHandedBack > 0) throw new Error(`${notHandedBack} failed job(s) could not be handed back`);
    });
    registerWorker(queue, workerId);
  };
  wakeOnQueuedJobs();
  await boss.schedule(QUEUES.timeOutRequests, "* * * * *");
  await work(QUEUES.timeOutRequests, async () => {
    await timeOutPendingRequests(new Date());
  });
  await boss.schedule(QUEUES.expireAccess, "* * * * *");
  // Every grant's end queues a sweep, so a thousand grants ending together queue a thousand: one
  // sweep serves every job taken with it (it removes all that is due, claimed grant by grant).
  expectPolling([QUEUES.expireAccess]);
  await boss.work(QUEUES.expireAccess, { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    const queue = QUEUES.expireAccess;
    try {
      await holdingJob(queue, () => inJobScope(queue, jobs[0]?.id, () => expireDueAccess(new Date()).then(() => {})));
    } catch (error) {
      log.warn({ queue, jobs: jobs.length, err: error }, "job failed");
      throw error;
    }
  });
  await boss.schedule(QUEUES.reconcile, everyMinutes(env.RECONCILE_EVERY_MINUTES));
  await work(QUEUES.reconcile, async () => {
    await startReconcilePass(new Date());
  });
  // A pass's clusters, a few at a time per process: reads bounded by Azure's budgets, not by us. Each
  // cluster's posture is checked with its drift (one more ARM read); a retried job checks it again,
  // which records nothing when nothing changed.
  await workBatch(QUEUES.reconcileCluster, ZReconcileClusterJob, CLUSTERS_AT_ONCE, async (data) => {
    await reconcileClusterJob(data, new Date());
    await checkPostureJob(data, new Date());
  });
  const accessBatch = Math.max(1, Math.min(5, env.DATABASE_POOL_SIZE - 2));
  await workBatch(QUEUES.activate, ZActivateJob, accessBatch, async ({ requestId }) => {
    await activateRequest(requestId, new Date());
  });
  await workBatch(QUEUES.activateFailed, ZActivateJob, accessBatch, async ({ requestId }, job) => {
    await giveUpActivation(requestId, new Date(), `activate-failed-${job.id}`);
  });
  await workBatch(QUEUES.deactivate, ZDeactivateJob, accessBatch, async (data) => {
    await endAccessNow(data, new Date());
  });
  await workBatch(QUEUES.extend, ZExtendJob, accessBatch, async ({ requestId }) => {
    await applyExtension(requestId, new Date());
  });
  // Notifications: each event fans out to one delivery job per person and channel, retried on its own.
  await workBatch(QUEUES.notify, ZNotifyJob, 10, async ({ eventKey }) => {
    await notifyRecipients(eventKey, new Date());
  });
  await workBatch(QUEUES.notifyDeliver, ZDeliveryJob, 10, async (data) => {
    await deliverNotification(data);
  });
  // One per access period: a burst of short grants must not wait in line past their own end.
  await workBatch(QUEUES.notifyEndingSoon, ZEndingSoonJob, 10, async (data) => {
    await warnAccessEndingSoon(data, new Date());
  });
  await boss.schedule(QUEUES.notifyFollowUp, "* * * * *");
  await work(QUEUES.notifyFollowUp, async () => {
    await followUpPendingRequests(new Date());
    await escalateOverdueBreakGlassReviews(new Date());
  });
  // A few at a time: each reads Log Analytics (200 queries per 30 s per app) and Graph's sign-in logs.
  await workBatch(QUEUES.summariseActivity, ZSummariseActivityJob, 4, async ({ requestId }) => {
    await summariseActivityJob(requestId, new Date());
  });
  // Daily, at a quiet hour (UTC): a walk of a million events takes about 15 s.
  await boss.schedule(QUEUES.verifyAudit, "17 3 * * *");
  await work(QUEUES.verifyAudit, async () => {
    const verification = await verifyAuditHistoryOnSchedule(new Date());
    if (!verification.isIntact) log.error({ broken: verification.broken }, "the audit chain is broken");
  });
  // Access whose end passed while the app was down ends now, not at the next minute.
  await boss.send(QUEUES.expireAccess, {});
  log.info("background jobs started");
}
