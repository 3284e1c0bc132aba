import "server-only";
import { randomUUID } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { getCatalog } from "@/lib/config/catalog";
import type { ActionContext } from "@/lib/context";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { countPostureCheck } from "@/lib/metrics/record";
import { readClusterFacts } from "./read-posture";
import { newStandingReadCache, readStandingAccess, type StandingReadCache } from "./standing-access";
import { storePostures, type PostureOutcome, type PostureRead } from "./store-posture";

export interface PostureCheck {
  cluster: string;
  outcome: PostureOutcome;
  findings: number;
  /** ARM calls made, retries included, and how many of them ARM throttled (429) */
  armCalls: number;
  armThrottled: number;
}

/** How many clusters "Check now" reads at once: ARM's read budget, not this, sets the pace at scale. */
const CLUSTERS_AT_ONCE = 8;
/** How many clusters' results one transaction stores: one commit, not one per cluster, at 500 clusters. */
const STORED_AT_ONCE = 25;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * Reads one cluster's facts, then who gets in without a grant (standing-access.ts, with what one run
 * reads once for every cluster in `cache`); a failure is a result (its error), not a throw.
 */
async function readPosture(cluster: CatalogCluster, correlationId: string, cache: StandingReadCache) {
  const calls = { armCalls: 0, armThrottled: 0 };
  const onCalls = (made: ProviderCall[]) => {
    calls.armCalls += made.length;
    calls.armThrottled += made.filter((call) => call.status === 429).length;
  };
  let facts;
  try {
    facts = await readClusterFacts(cluster, { correlationId, onCalls });
  } catch (error) {
    const reason = reasonOf(error);
    log.warn({ cluster: cluster.name, err: reason }, "posture check could not read the cluster");
    return { read: { cluster, error: reason } satisfies PostureRead, ...calls };
  }
  try {
    const standing = await readStandingAccess(cluster, facts, cache);
    return { read: { cluster, facts, standing } satisfies PostureRead, ...calls };
  } catch (error) {
    const reason = reasonOf(error);
    log.warn({ cluster: cluster.name, err: reason }, "posture check could not read the cluster's standing access");
    return { read: { cluster, facts, standing: null, standingError: reason } satisfies PostureRead, ...calls };
  }
}

async function store(reads: Array<Awaited<ReturnType<typeof readPosture>>>, now: Date, correlationId: string) {
  const outcomes = await storePostures(
    reads.map((r) => r.read),
    now,
    correlationId,
  );
  return reads.map(({ read, armCalls, armThrottled }): PostureCheck => {
    const { outcome, findings } = outcomes.get(read.cluster.name)!;
    countPostureCheck(outcome);
    return { cluster: read.cluster.name, outcome, findings, armCalls, armThrottled };
  });
}

/** How long the scheduled checks of one pass share what they read once: role definitions, groups, names. */
const SHARED_READS_MS = 5 * 60_000;
let shared: { cache: StandingReadCache; until: number } | undefined;

/**
 * What the clusters of one scheduled pass read once between them (a pass's per-cluster jobs run in
 * this process within minutes): role definitions, groups' members and names. The ledger of active
 * grants is read afresh for each check, so that access granted a moment ago is never taken for
 * standing access.
 */
function passReadCache(now: number): StandingReadCache {
  if (!shared || shared.until <= now) shared = { cache: newStandingReadCache(), until: now + SHARED_READS_MS };
  return { ...shared.cache, heldGrants: undefined };
}

/**
 * One catalog cluster's posture check: reads its facts through ARM, works out the findings and stores
 * them, recording `posture.changed` when they differ from the stored ones (store-posture.ts).
 */
export async function checkClusterPosture(
  cluster: CatalogCluster,
  now: Date,
  context: { correlationId: string },
): Promise<PostureCheck> {
  const [check] = await store(
    [await readPosture(cluster, context.correlationId, passReadCache(Date.now()))],
    now,
    context.correlationId,
  );
  return check!;
}

/** The scheduled check of one cluster, with its reconcile job (lib/jobs/start-jobs.ts); a cluster gone from the catalog is skipped. */
export async function checkPostureJob(job: { cluster: string; correlationId: string }, now: Date) {
  const cluster = getCatalog().clusters.find((c) => c.name === job.cluster);
  if (cluster) await checkClusterPosture(cluster, now, job);
}

/**
 * Every catalog cluster in this process: read a few at a time, stored a batch at a time while the
 * next reads go on, so that ARM's read budget, not the database's commits, sets the pace.
 */
export async function checkAllPostures(
  now: Date,
  correlationId = `posture-${randomUUID()}`,
  clustersAtOnce = CLUSTERS_AT_ONCE,
): Promise<PostureCheck[]> {
  const clusters = getCatalog().clusters;
  const cache = newStandingReadCache();
  const checks: PostureCheck[] = [];
  let pending: Array<Awaited<ReturnType<typeof readPosture>>> = [];
  let storing = Promise.resolve();
  // Kept rather than left rejected between flushes: an unhandled rejection would end the process.
  let failure: unknown;
  const flush = () => {
    const batch = pending;
    pending = [];
    storing = storing
      .then(async () => void checks.push(...(await store(batch, now, correlationId))))
      .catch((error: unknown) => void (failure ??= error));
  };
  let next = 0;
  const worker = async () => {
    while (next < clusters.length) {
      // Read first, then taken: `pending` may be a new array by the time the read ends.
      const read = await readPosture(clusters[next++]!, correlationId, cache);
      pending.push(read);
      if (pending.length >= STORED_AT_ONCE) flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(clustersAtOnce, clusters.length) }, worker));
  if (pending.length > 0) flush();
  await storing;
  if (failure !== undefined) throw failure;
  return checks;
}

/** An admin's "Check now": every cluster's posture, now; who asked is audited with what it found. */
export async function checkPostureNow(context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "posture.check");
  const { viewer, origin, now } = context;
  const checks = await checkAllPostures(now, origin.correlationId);
  const result = {
    clusters: checks.length,
    changed: checks.filter((c) => c.outcome === "changed").length,
    failed: checks.filter((c) => c.outcome === "failed").length,
  };
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "posture.checked",
      actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
      correlationId: origin.correlationId,
      occurredAt: now,
      data: { ...result, channel: origin.channel, ip: origin.ip, userAgent: origin.userAgent },
    }),
  );
  return result;
}
