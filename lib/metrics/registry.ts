import "server-only";
import { Registry } from "prom-client";
import { log } from "@/lib/log";
import { withTimeout } from "@/lib/with-timeout";
import { readDatabaseRows } from "./database-gauges";
import { databaseRegistry, databaseUpRegistry, type DatabaseRows } from "./database-registry";
import { metrics } from "./metrics";

/** Well inside Prometheus's default scrape timeout (10 s), so that a slow database never costs the process metrics. */
const DATABASE_BUDGET_MS = 3_000;

// One database read at a time per process: scrapes that come while the database is slow share the
// read in flight rather than each taking a connection.
const globalForScrape = globalThis as unknown as { aksJitDatabaseRead?: Promise<DatabaseRows> };

/**
 * The Prometheus text for /metrics. `databaseGauges`: also the deployment-wide gauges read from the
 * database (open requests, overdue grants, queues, drift, last verification), for the worker to
 * answer: web pods serve only their own series, so that N replicas do not multiply the reads and
 * Prometheus gets each such gauge once per worker rather than once per pod.
 */
export async function collectMetrics(options: {
  databaseGauges: boolean;
}): Promise<{ contentType: string; body: string }> {
  const registries = [metrics.registry, ...(options.databaseGauges ? await databaseGauges() : [])];
  const merged = Registry.merge(registries);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

async function databaseGauges(): Promise<Registry[]> {
  const startedAt = performance.now();
  const read = (globalForScrape.aksJitDatabaseRead ??= readDatabaseRows(DATABASE_BUDGET_MS));
  // Settled, or past its budget, a read is not shared any more: the next scrape asks afresh, so one
  // that comes after the database is back never inherits the failure of a read from before.
  const forget = () => {
    if (globalForScrape.aksJitDatabaseRead === read) globalForScrape.aksJitDatabaseRead = undefined;
  };
  read.then(forget, forget);
  try {
    const rows = await withTimeout(read, DATABASE_BUDGET_MS, "the database did not answer");
    return [databaseUpRegistry(true), databaseRegistry(rows, (performance.now() - startedAt) / 1000)];
  } catch (error) {
    forget();
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "metrics: database gauges not read");
    return [databaseUpRegistry(false)];
  }
}
