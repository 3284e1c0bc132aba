import "server-only";
import PgBoss from "pg-boss";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { BOSS_SCHEMA } from "./queue-setup";

/**
 * pg-boss on the app's own PostgreSQL (schema `pgboss`): several app instances share the queue
 * safely (SKIP LOCKED). Started once per process. Its schema and the queues' options are set by the
 * migration step (queue-setup.ts), never here: a process only uses them.
 */
const globalForBoss = globalThis as unknown as {
  boss?: Promise<PgBoss>;
  runsJobs?: boolean;
  isStarted?: boolean;
  lastLoopErrorAt?: number;
};

/**
 * Declares that this process works jobs (the worker, or a web process with JOBS_IN_WEB): call it
 * before the first getBoss(). Such a process also runs pg-boss's maintenance (which notices jobs
 * whose process died) and its cron; a web process that only queues jobs does neither.
 */
export function markProcessRunsJobs() {
  globalForBoss.runsJobs = true;
}

async function createBoss() {
  const isSupervisor = globalForBoss.runsJobs === true || env.JOBS_IN_WEB;
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    schema: BOSS_SCHEMA,
    application_name: "aks-jit",
    max: env.JOBS_POOL_SIZE,
    migrate: false,
    supervise: isSupervisor,
    schedule: isSupervisor,
    // Maintenance is what notices a job whose process died (it outlived JOB_TIMEOUT_SECONDS) and retries it.
    maintenanceIntervalSeconds: Math.min(120, env.JOB_TIMEOUT_SECONDS),
  });
  boss.on("error", (error) => {
    // A job loop that cannot fetch (the database is gone, a query fails) says so here, with its queue.
    if (/\(Queue: /.test(error.message)) globalForBoss.lastLoopErrorAt = Date.now();
    log.error({ err: error }, "job queue error");
  });
  try {
    await boss.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The job queue is not ready (${reason}). Run the migrations first: npm run db:migrate.`, {
      cause: error,
    });
  }
  globalForBoss.isStarted = true;
  boss.once("stopped", () => (globalForBoss.isStarted = false));
  return boss;
}

export function getBoss(): Promise<PgBoss> {
  globalForBoss.boss ??= createBoss().catch((error) => {
    globalForBoss.boss = undefined;
    throw error;
  });
  return globalForBoss.boss;
}

/**
 * Stops taking jobs, lets the jobs in hand finish for up to `timeoutSeconds` (SIGTERM: a job waiting
 * on a service's Retry-After included), then fails what is left so that another process retries it
 * at once instead of after JOB_TIMEOUT_SECONDS.
 */
export async function stopBoss(timeoutSeconds = 10) {
  const boss = await globalForBoss.boss?.catch(() => undefined);
  globalForBoss.boss = undefined;
  await boss?.stop({ graceful: true, wait: true, timeout: timeoutSeconds * 1000 });
}

/** How recently a job loop failed to ask the queue for work: longer ago than this, it is polling again. */
const LOOP_ERROR_GRACE_MS = 30_000;

/**
 * Whether this process's job loops are polling: pg-boss is started and not stopping, and no loop
 * failed to fetch in the last 30 s (each loop reports a failed fetch as an error, then tries again).
 */
export function jobLoopsStatus(): { status: "ok" | "down"; error?: string } {
  if (!globalForBoss.isStarted) return { status: "down", error: "the job queue is not started" };
  const sinceError = Date.now() - (globalForBoss.lastLoopErrorAt ?? 0);
  if (sinceError < LOOP_ERROR_GRACE_MS) {
    return { status: "down", error: `a job loop failed to poll ${Math.round(sinceError / 1000)} s ago` };
  }
  return { status: "ok" };
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
