import "server-only";
import { env } from "@/lib/config/env";
import { changeFeed } from "@/lib/db/change-feed";
import { jobLoopsStatus, stopBoss } from "@/lib/jobs/boss";
import { startJobs } from "@/lib/jobs/start-jobs";
import { isDatabaseGone } from "@/lib/db/reconnect";
import { log } from "@/lib/log";
import { collectMetrics } from "@/lib/metrics/registry";
import { drainOnSignals, holdExitUntilDrained } from "./lifecycle";
import { startOpsServer, type OpsServer } from "./ops-server";
import { readiness } from "./readiness";
import { startTracing } from "./tracing";

const jobLoops = async () => jobLoopsStatus();

async function opsServer(options: { runsJobs: boolean; databaseGauges: boolean }): Promise<OpsServer | undefined> {
  if (env.OPS_PORT === 0) return undefined;
  return startOpsServer({
    port: env.OPS_PORT,
    readiness: () => readiness(options.runsJobs ? { jobs: jobLoops } : {}),
    metrics: () => collectMetrics({ databaseGauges: options.databaseGauges }),
  });
}

/**
 * The web server's start (instrumentation.ts; the configuration was checked before). Next serves
 * the app and drains its own requests on SIGTERM; this adds the operations port and, with
 * JOBS_IN_WEB, the jobs, handed back before the process exits.
 */
export async function startWebProcess() {
  const flushTraces = await startTracing("aks-jit-web");
  const ops = await opsServer({ runsJobs: env.JOBS_IN_WEB, databaseGauges: env.JOBS_IN_WEB });
  if (env.JOBS_IN_WEB) await startJobs();
  holdExitUntilDrained();
  drainOnSignals(
    async () => {
      await changeFeed.stop();
      if (env.JOBS_IN_WEB) await stopBoss(env.SHUTDOWN_TIMEOUT_SECONDS);
      await Promise.all([ops?.close(), flushTraces()]);
    },
    { exitAfterDrain: false },
  );
}

/**
 * pg-boss 10 runs the `complete`/`fail` after a worker's handler without awaiting or catching it
 * (manager.js, watch()): a database lost at that moment would end the worker through an unhandled
 * rejection. The job is only left claimed, and another process retries it when the claim expires,
 * so such a rejection is logged and the worker goes on; any other keeps Node's default and ends it.
 */
function surviveLostDatabaseCalls() {
  process.on("unhandledRejection", (reason) => {
    if (!isDatabaseGone(reason)) throw reason;
    log.warn({ err: reason }, "lost the database during a job queue call; the job is retried when its claim expires");
  });
}

/**
 * The worker's start: the operations port first (probes answer while the queue starts), then the
 * jobs. SIGTERM stops taking jobs, lets those in hand finish for SHUTDOWN_TIMEOUT_SECONDS, hands the
 * rest back to the queue for another worker, and exits 0.
 */
export async function startWorkerProcess() {
  surviveLostDatabaseCalls();
  const flushTraces = await startTracing("aks-jit-worker");
  const ops = await opsServer({ runsJobs: true, databaseGauges: true });
  await startJobs();
  drainOnSignals(async () => {
    await stopBoss(env.SHUTDOWN_TIMEOUT_SECONDS);
    await Promise.all([ops?.close(), flushTraces()]);
  });
  log.info({ opsPort: ops?.port }, "worker running");
}
