import { expect } from "vitest";
import { parseMigrateEnv } from "@/lib/config/env-schema.js";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { setUpJobQueues } from "@/lib/jobs/queue-setup";
import type { QueueName } from "@/lib/jobs/queues";

/**
 * Gives the queues this file's job settings (short retries, a short timeout), as the migration step
 * does in a deployment. Nothing to put back after: the file's database goes with it (file-stacks.ts).
 */
export async function useQueueSettings(settings: Record<string, string>) {
  await setUpJobQueues(parseMigrateEnv({ ...process.env, ...settings }));
}

/**
 * Takes the queued jobs of one queue for one request out of the queue (marked completed, so no
 * worker runs them later) and returns their data, for a test to run the handler itself at the
 * `now` it chooses.
 */
export async function takeQueuedJobs<T>(queue: QueueName, requestId: string): Promise<T[]> {
  await getBoss();
  const rows = await db.$queryRaw<Array<{ data: T }>>`
    UPDATE pgboss.job SET state = 'completed', completed_on = now()
    WHERE name = ${queue} AND state IN ('created', 'retry') AND data->>'requestId' = ${requestId}
    RETURNING data`;
  return rows.map((row) => row.data);
}

/**
 * Waits until pg-boss has finished (completed, failed or cancelled) every job of these queues that
 * is about this request (its id in the job's data): once drained, whatever those jobs were going to
 * do is done, and a test may assert that something did not happen without sleeping first.
 */
export async function drainJobsOf(requestId: string, queues: QueueName[], timeoutMs = 20_000) {
  await getBoss();
  await expect
    .poll(
      async () => {
        const [row] = await db.$queryRaw<Array<{ open: number }>>`
          SELECT count(*)::int AS open FROM pgboss.job
          WHERE name = ANY(${queues}) AND state IN ('created', 'retry', 'active')
            AND position(${requestId} IN data::text) > 0`;
        return row!.open;
      },
      { timeout: timeoutMs, interval: 100, message: `jobs of ${queues.join(", ")} for ${requestId} still open` },
    )
    .toBe(0);
}
