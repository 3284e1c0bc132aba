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
