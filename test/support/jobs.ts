import { inject } from "vitest";
import { parseMigrateEnv } from "@/lib/config/env-schema.js";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { setUpJobQueues } from "@/lib/jobs/queue-setup";
import type { QueueName } from "@/lib/jobs/queues";

/**
 * Gives the queues this file's job settings (short retries, a short timeout), as the migration step
 * does in a deployment; returns what puts the run's own settings back, for the next file.
 */
export async function useQueueSettings(settings: Record<string, string>): Promise<() => Promise<void>> {
  await setUpJobQueues(parseMigrateEnv({ ...process.env, ...settings }));
  return () => setUpJobQueues(parseMigrateEnv(inject("appEnv")));
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
