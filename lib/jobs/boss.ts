import "server-only";
import PgBoss from "pg-boss";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { QUEUES } from "./queues";

/**
 * pg-boss on the app's own PostgreSQL (schema `pgboss`): several app instances share the queue
 * safely (SKIP LOCKED). Started once per process; `startJobs` in instrumentation.ts also runs the
 * workers, unless a separate worker deployment does.
 */
const globalForBoss = globalThis as unknown as { boss?: Promise<PgBoss> };

async function createBoss() {
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: "pgboss",
    application_name: "aks-jit",
    // Maintenance is what notices a job whose process died (it outlived JOB_TIMEOUT_SECONDS) and retries it.
    maintenanceIntervalSeconds: Math.min(120, env.JOB_TIMEOUT_SECONDS),
  });
  boss.on("error", (error) => log.error({ err: error.message }, "job queue error"));
  await boss.start();
  // A dead-letter queue must exist before the queue that names it.
  const names = [QUEUES.activateFailed, ...Object.values(QUEUES).filter((n) => n !== QUEUES.activateFailed)];
  for (const name of names) {
    // Retries with exponential backoff (5 s, 10 s, 20 s ... by default); an activation that fails
    // them all goes to its dead-letter queue, whose worker marks the request failed.
    const options = {
      name,
      retryLimit: env.JOB_RETRY_LIMIT,
      retryDelay: env.JOB_RETRY_DELAY_SECONDS,
      retryBackoff: true,
      expireInSeconds: env.JOB_TIMEOUT_SECONDS,
      ...(name === QUEUES.activate ? { deadLetter: QUEUES.activateFailed } : {}),
    };
    if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
    else await boss.updateQueue(name, options);
  }
  return boss;
}

export function getBoss(): Promise<PgBoss> {
  globalForBoss.boss ??= createBoss().catch((error) => {
    globalForBoss.boss = undefined;
    throw error;
  });
  return globalForBoss.boss;
}

export async function stopBoss() {
  const boss = await globalForBoss.boss?.catch(() => undefined);
  globalForBoss.boss = undefined;
  await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
}

/**
 * Lets pg-boss insert a job through a Prisma transaction, so that a state change and the work it
 * hands off commit together: an approval is never recorded without its activation job, nor the
 * reverse.
 */
export function inTransaction(tx: Prisma.TransactionClient): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }),
  };
}
