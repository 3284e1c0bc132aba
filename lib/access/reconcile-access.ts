import "server-only";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { ReconcileSummary } from "@/lib/audit/events";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { enqueueMany, openJobs } from "@/lib/jobs/outbox";
import { QUEUES, type ReconcileClusterJob } from "@/lib/jobs/queues";
import { log } from "@/lib/log";
import { timeReconcile } from "@/lib/metrics/record";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ActionContext } from "@/lib/context";
import { catalogBindingsByCluster, reconcileCluster } from "./reconcile-cluster";

export { reconcileCluster } from "./reconcile-cluster";

/**
 * How many clusters one process reads at once: enough to keep ARM's read budget busy (25 reads/s
 * per principal once the burst is spent), few enough to stay within the database pool.
 */
export const CLUSTERS_AT_ONCE = Math.max(1, Math.min(8, env.DATABASE_POOL_SIZE - 2));

export interface PassResult {
  /** bindings read */
  bindings: number;
  /** findings open after the pass, in the whole ledger */
  open: number;
  /** bindings that could not be read (their findings kept) */
  skipped: number;
  clusters: number;
  passId: string;
}

/**
 * The `reconcile` job, at every RECONCILE_EVERY_MINUTES tick: fans the pass out, one `reconcile-cluster`
 * job per cluster (keyed by the cluster, worked a few at a time by every worker). A pass whose
 * cluster jobs are still waiting or running when the cron ticks again is not doubled: the tick is
 * skipped. The `reconcile` queue itself is a singleton, so two ticks never fan out side by side.
 */
export async function startReconcilePass(
  now: Date,
  correlationId = `reconcile-${randomUUID()}`,
): Promise<{ passId: string; clusters: number } | null> {
  const running = await openJobs(QUEUES.reconcileCluster);
  if (running > 0) {
    log.info({ running }, "the last reconcile pass is still running; this tick is skipped");
    return null;
  }
  const passId = randomUUID();
  const clusters = [...catalogBindingsByCluster().keys()];
  const jobs = clusters.map((cluster) => ({
    data: { cluster, passId, correlationId } satisfies ReconcileClusterJob,
    singletonKey: cluster,
  }));
  await db.$transaction((tx) => enqueueMany(tx, QUEUES.reconcileCluster, jobs));
  log.info({ passId, clusters: clusters.length, at: now.toISOString() }, "reconcile pass started");
  return { passId, clusters: clusters.length };
}

/** The `reconcile-cluster` job: one cluster of a pass. */
export async function reconcileClusterJob(job: ReconcileClusterJob, now: Date) {
  const endRun = timeReconcile();
  const summary = await reconcileCluster(job.cluster, now, job);
  endRun(summary.failures.length);
}

/**
 * A whole pass in this process, every cluster through the same reconcileCluster as the jobs, a few
 * at a time: what an admin's "Check now" waits for. Each cluster's findings and its summary carry
 * `correlationId`, so that what the check found is tied to who asked.
 */
export async function reconcileAccess(now: Date, correlationId = `reconcile-${randomUUID()}`): Promise<PassResult> {
  const endRun = timeReconcile();
  const passId = randomUUID();
  const clusters = [...catalogBindingsByCluster().keys()];
  const summaries: ReconcileSummary[] = [];
  let next = 0;
  const worker = async () => {
    while (next < clusters.length) {
      const cluster = clusters[next++]!;
      summaries.push(await reconcileCluster(cluster, now, { correlationId, passId }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CLUSTERS_AT_ONCE, clusters.length) }, worker));
  const skipped = summaries.reduce((sum, s) => sum + s.failures.length, 0);
  endRun(skipped);
  return {
    bindings: summaries.reduce((sum, s) => sum + s.bindingsRead, 0),
    open: await db.driftFinding.count({ where: { resolvedAt: null } }),
    skipped,
    clusters: clusters.length,
    passId,
  };
}

/** An admin asks for a drift check now rather than at the next scheduled run; who asked is audited with what it found. */
export async function reconcileNow(context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "drift.check");
  const result = await reconcileAccess(context.now, context.origin.correlationId);
  const { viewer, origin } = context;
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "drift.checked",
      actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
      correlationId: origin.correlationId,
      occurredAt: context.now,
      data: { ...result, channel: origin.channel, ip: origin.ip, userAgent: origin.userAgent },
    }),
  );
  return { bindings: result.bindings, open: result.open, skipped: result.skipped };
}
