import "server-only";
import type PgBoss from "pg-boss";
import type { Prisma } from "@/lib/db/client";
import { getBoss, inTransaction } from "./boss";
import type { QueueName } from "./queues";

/**
 * The outbox: a state change hands off its work (a call to Entra ID or ARM, a notification, a timer)
 * by inserting the job through the change's own transaction, so both commit or neither does. There
 * is no "after commit" step to lose: a crash right after the commit finds the job queued, and a
 * failure before it leaves neither the change nor the job.
 */
export async function enqueue<T extends object>(
  tx: Prisma.TransactionClient,
  queue: QueueName,
  data: T,
  options: Omit<PgBoss.SendOptions, "db"> = {},
): Promise<string | null> {
  const boss = await getBoss();
  return boss.send(queue, data, { ...options, db: inTransaction(tx) });
}

/** Many jobs of one queue in one statement, through the change's transaction: a pass fanned out per cluster. */
export async function enqueueMany<T extends object>(
  tx: Prisma.TransactionClient,
  queue: QueueName,
  jobs: Array<{ data: T; singletonKey?: string }>,
): Promise<void> {
  const boss = await getBoss();
  await boss.insert(
    jobs.map((job) => ({ name: queue, ...job })),
    { db: inTransaction(tx) },
  );
}

/** How many jobs of a queue are waiting or running (not yet completed, failed or cancelled). */
export async function openJobs(queue: QueueName): Promise<number> {
  const boss = await getBoss();
  return boss.getQueueSize(queue, { before: "completed" });
}
