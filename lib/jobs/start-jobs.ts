import "server-only";
import { activateRequest, failActivation } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { log } from "@/lib/log";
import { getBoss } from "./boss";
import { QUEUES, type ActivateJob } from "./queues";

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
  await boss.work<ActivateJob>(QUEUES.activate, async ([job]) => {
    if (job) await activateRequest(job.data.requestId, new Date());
  });
  await boss.work<ActivateJob>(QUEUES.activateFailed, async ([job]) => {
    if (!job) return;
    await failActivation(
      job.data.requestId,
      new Date(),
      `activate-failed-${job.id}`,
      "Entra ID or Azure kept failing (throttled or unavailable) through every retry. An admin can retry it.",
    );
  });
  // Access whose end passed while the app was down ends now, not at the next minute.
  await boss.send(QUEUES.expireAccess, {});
  log.info("background jobs started");
}
