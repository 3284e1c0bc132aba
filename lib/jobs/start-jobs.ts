import "server-only";
import { activateRequest, giveUpActivation } from "@/lib/access/activate-request";
import { applyExtension } from "@/lib/access/apply-extension";
import { endAccessNow } from "@/lib/access/end-access-now";
import { expireDueAccess } from "@/lib/access/expire-access";
import { reconcileAccess } from "@/lib/access/reconcile-access";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";
import { getBoss } from "./boss";
import { QUEUES, type ActivateJob, type DeactivateJob, type ExtendJob } from "./queues";

/** A cron expression for "every N minutes" (hourly when N is 60 or more). */
const everyMinutes = (n: number) => (n < 60 ? `*/${n} * * * *` : "0 * * * *");

/**
 * Starts the queue and this process's workers. The web process runs them by default; several
 * instances may, since pg-boss hands each job to one of them and every handler is idempotent.
 */
export async function startJobs() {
  const boss = await getBoss();
  await boss.schedule(QUEUES.timeOutRequests, "* * * * *");
  await boss.work(QUEUES.timeOutRequests, async () => {
    await timeOutPendingRequests(new Date());
  });
  await boss.schedule(QUEUES.expireAccess, "* * * * *");
  await boss.work(QUEUES.expireAccess, async () => {
    await expireDueAccess(new Date());
  });
  await boss.schedule(QUEUES.reconcile, everyMinutes(env.RECONCILE_EVERY_MINUTES));
  await boss.work(QUEUES.reconcile, async () => {
    await reconcileAccess(new Date());
  });
  await boss.work<ActivateJob>(QUEUES.activate, async ([job]) => {
    if (job) await activateRequest(job.data.requestId, new Date());
  });
  await boss.work<ActivateJob>(QUEUES.activateFailed, async ([job]) => {
    if (!job) return;
    await giveUpActivation(job.data.requestId, new Date(), `activate-failed-${job.id}`);
  });
  await boss.work<DeactivateJob>(QUEUES.deactivate, async ([job]) => {
    if (job) await endAccessNow(job.data, new Date());
  });
  await boss.work<ExtendJob>(QUEUES.extend, async ([job]) => {
    if (job) await applyExtension(job.data.requestId, new Date());
  });
  // Access whose end passed while the app was down ends now, not at the next minute.
  await boss.send(QUEUES.expireAccess, {});
  log.info("background jobs started");
}
