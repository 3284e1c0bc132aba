import "server-only";
import pg from "pg";
import PgBoss from "pg-boss";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { queryThroughRestart } from "@/lib/db/reconnect";
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
  /** per queue this process works: when its loop last fetched, and how many of its jobs are in hand */
  lastPollAt?: Map<string, number>;
  inHand?: Map<string, number>;
  /** per queue, the ids of this process's workers (boss.work), for waking them when a job is queued */
  workerIds?: Map<string, string[]>;
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
  // Our own pool, so that we see the job loops poll: pg-boss swallows the errors of their fetches.
  const pool = new pg.Pool({
    connectionString: env.DATABASE_URL,
    max: env.JOBS_POOL_SIZE,
    application_name: "aks-jit",
  });
  // An idle connection dropped by a database restart or failover must not crash the process.
  pool.on("error", (error) => log.warn({ err: error }, "job queue connection lost; it reconnects on next use"));
  const boss = new PgBoss({
    db: pollingDb(pool),
    schema: BOSS_SCHEMA,
    migrate: false,
    supervise: isSupervisor,
    schedule: isSupervisor,
    // Maintenance is what notices a job whose process died (it outlived JOB_TIMEOUT_SECONDS) and retries it.
    maintenanceIntervalSeconds: Math.min(120, env.JOB_TIMEOUT_SECONDS),
  });
  boss.on("error", (error) => log.error({ err: error }, "job queue error"));
  try {
    await boss.start();
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The job queue is not ready (${reason}). Run the migrations first: npm run db:migrate.`, {
      cause: error,
    });
  }
  globalForBoss.isStarted = true;
  boss.once("stopped", () => {
    globalForBoss.isStarted = false;
    void pool.end();
  });
  return boss;
}

/** The SQL of a job loop's fetch (pg-boss's fetchNextJob): `$1` is the queue. */
const FETCH = /FOR UPDATE SKIP LOCKED[\s\S]*UPDATE \S+\.job j SET/;

/**
 * pg-boss's database, recording when each queue's job loop last fetched. Statements wait out a
 * database restart: pg-boss 10 neither awaits nor catches the `complete`/`fail` it runs after a
 * worker's handler (manager.js, watch()), so one that met a restarting server would be an unhandled
 * rejection that ends the process; waiting lets it land once the server is back.
 */
function pollingDb(pool: pg.Pool): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      let result: pg.QueryResult;
      try {
        result = await queryThroughRestart(() => pool.query(text, values));
      } catch (error) {
        // pg-boss stopped and closed its pool, yet settles, unawaited, the jobs of a handler that
        // outlived the stop: they stay active and are retried once their claim expires, as after any
        // exit. The statement must not become an unhandled rejection on the way out.
        if (!pool.ending) throw error;
        log.warn({ err: error }, "job queue stopped: the outcome of a job that ended meanwhile was not recorded");
        return { rows: [] };
      }
      const queue = values?.[0];
      // Only our queues: pg-boss's own (its cron's) poll far less often.
      const lastPollAt = globalForBoss.lastPollAt;
      if (typeof queue === "string" && lastPollAt?.has(queue) && FETCH.test(text)) lastPollAt.set(queue, Date.now());
      return result;
    },
  };
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
  globalForBoss.workerIds?.clear();
  await boss?.stop({ graceful: true, wait: true, timeout: timeoutSeconds * 1000 });
}

/**
 * A job loop is polling if it fetched within this time: pg-boss polls every 0.5-2 s, and a loop
 * busy with its jobs does not poll until they end, which `inHand` accounts for.
 */
const POLL_GRACE_MS = 30_000;

/** Marks a job of `queue` in hand while `work` runs: a loop that is working is not stuck. */
export async function holdingJob<T>(queue: string, work: () => Promise<T>): Promise<T> {
  const inHand = (globalForBoss.inHand ??= new Map());
  inHand.set(queue, (inHand.get(queue) ?? 0) + 1);
  try {
    return await work();
  } finally {
    inHand.set(queue, (inHand.get(queue) ?? 1) - 1);
  }
}

/** Remembers a worker of `queue` that boss.work started, so that wakeWorkers can reach it. */
export function registerWorker(queue: string, workerId: string) {
  const workerIds = (globalForBoss.workerIds ??= new Map());
  workerIds.set(queue, [...(workerIds.get(queue) ?? []), workerId]);
}

/**
 * Ends the wait of this process's workers of `queue` (every queue's when none is named): each
 * fetches at once instead of at the end of its polling interval. A worker busy with a batch
 * fetches as soon as the batch ends. Waking one that has nothing to fetch costs a query.
 */
export async function wakeWorkers(queue?: string) {
  const boss = await globalForBoss.boss?.catch(() => undefined);
  if (!boss) return;
  const workerIds = globalForBoss.workerIds ?? new Map<string, string[]>();
  const ids = queue === undefined ? [...workerIds.values()].flat() : (workerIds.get(queue) ?? []);
  for (const id of ids) boss.notifyWorker(id);
}

/** Registers the queues this process works, before their loops start. */
export function expectPolling(queues: readonly string[]) {
  const lastPollAt = (globalForBoss.lastPollAt ??= new Map());
  for (const queue of queues) lastPollAt.set(queue, Date.now());
}

/**
 * Whether this process's job loops are polling: pg-boss is started and not stopping, and every
 * queue it works fetched in the last 30 s or has jobs in hand. A database outage or a stuck loop
 * shows here, though pg-boss itself reports neither.
 */
export function jobLoopsStatus(now = Date.now()): { status: "ok" | "down"; error?: string } {
  if (!globalForBoss.isStarted) return { status: "down", error: "the job queue is not started" };
  const stale = [...(globalForBoss.lastPollAt ?? new Map<string, number>())]
    .filter(([queue, at]) => now - at > POLL_GRACE_MS && !(globalForBoss.inHand?.get(queue) ?? 0))
    .map(([queue, at]) => `${queue} (${Math.round((now - at) / 1000)} s)`);
  return stale.length === 0 ? { status: "ok" } : { status: "down", error: `not polling: ${stale.join(", ")}` };
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
