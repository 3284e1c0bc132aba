import "server-only";
import type PgBoss from "pg-boss";
import { activateRequest, giveUpActivation } from "@/lib/access/activate-request";
import { applyExtension } from "@/lib/access/apply-extension";
import { endAccessNow } from "@/lib/access/end-access-now";
import { expireDueAccess } from "@/lib/access/expire-access";
import { reconcileAccess } from "@/lib/access/reconcile-access";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";
import { getBoss } from "./boss";
import { QUEUES, type ActivateJob, type DeactivateJob, type ExtendJob, type QueueName } from "./queues";

/** A cron expression for "every N minutes" (hourly when N is 60 or more). */
const everyMinutes = (n: number) => (n < 60 ? `*/${n} * * * *` : "0 * * * *");

/**
 * Starts the queue and this process's workers. The web process runs them by default; several
 * instances may, since pg-boss hands each job to one of them and every handler is idempotent.
 */
export async function startJobs() {
  const boss = await getBoss();
  // Every handler's failure is logged here, with its queue and job: pg-boss only stores it.
  const work = <T extends object>(queue: QueueName, handler: (job: PgBoss.Job<T> | undefined) => Promise<void>) =>
    boss.work<T>(queue, async ([job]) => {
      try {
        await handler(job);
      } catch (error) {
        log.warn({ queue, jobId: job?.id, err: error instanceof Error ? error.message : String(error) }, "job failed");
        throw error;
      }
    });
  await boss.schedule(QUEUES.timeOutRequests, "* * * * *");
  await work(QUEUES.timeOutRequests, async () => {
    await timeOutPendingRequests(new Date());
  });
  await boss.schedule(QUEUES.expireAccess, "* * * * *");
  await work(QUEUES.expireAccess, async () => {
    await expireDueAccess(new Date());
  });
  await boss.schedule(QUEUES.reconcile, everyMinutes(env.RECONCILE_EVERY_MINUTES));
  await work(QUEUES.reconcile, async () => {
    await reconcileAccess(new Date());
  });
  await work<ActivateJob>(QUEUES.activate, async (job) => {
    if (job) await activateRequest(job.data.requestId, new Date());
  });
  await work<ActivateJob>(QUEUES.activateFailed, async (job) => {
    if (!job) return;
    await giveUpActivation(job.data.requestId, new Date(), `activate-failed-${job.id}`);
  });
  await work<DeactivateJob>(QUEUES.deactivate, async (job) => {
    if (job) await endAccessNow(job.data, new Date());
  });
  await work<ExtendJob>(QUEUES.extend, async (job) => {
    if (job) await applyExtension(job.data.requestId, new Date());
  });
  // Access whose end passed while the app was down ends now, not at the next minute.
  await boss.send(QUEUES.expireAccess, {});
  log.info("background jobs started");
}
