import "server-only";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { log } from "@/lib/log";
import { getBoss } from "./boss";
import { QUEUES } from "./queues";

/**
 * Starts the queue and this process's workers. The web process runs them by default; several
 * instances may, since pg-boss hands each job to one of them. Activation jobs have no worker yet
 * (issue 4): they stay queued until one exists, rather than pretending to succeed.
 */
export async function startJobs() {
  const boss = await getBoss();
  await boss.schedule(QUEUES.timeOutRequests, "* * * * *");
  await boss.work(QUEUES.timeOutRequests, async () => {
    await timeOutPendingRequests(new Date());
  });
  log.info("background jobs started");
}
