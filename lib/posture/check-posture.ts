import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authorize } from "@/lib/auth/authorize";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { getCatalog } from "@/lib/config/catalog";
import type { ActionContext } from "@/lib/context";
import type { SessionUser } from "@/lib/context";
import { db, type Prisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { countPostureCheck } from "@/lib/metrics/record";
import { describeChanges } from "./changes";
import { postureFindings } from "./findings";
import { readClusterFacts } from "./read-posture";
import { ZClusterFacts, ZClusterPosture, ZPostureFinding, type ClusterFacts, type ClusterPosture } from "./types";

export type PostureOutcome = "unchanged" | "changed" | "failed";

export interface PostureCheck {
  cluster: string;
  outcome: PostureOutcome;
  findings: number;
  /** ARM calls made, retries included */
  armCalls: number;
}

/** How many clusters "Check now" reads at once: ARM's read budget, not this, sets the pace at scale. */
const CLUSTERS_AT_ONCE = 8;

/**
 * One catalog cluster's posture check: reads its facts through ARM, works out the findings and, in one
 * transaction, stores them in cluster_postures and, when they differ from the stored ones, records
 * `posture.changed` with what changed. A failed read stores the error and keeps the last facts and
 * findings: not read is not fixed. Standing access (standing-access.ts) is written apart and left as is.
 */
export async function checkClusterPosture(
  cluster: CatalogCluster,
  now: Date,
  context: { correlationId: string },
): Promise<PostureCheck> {
  let armCalls = 0;
  const onCalls = (calls: ProviderCall[]) => void (armCalls += calls.length);
  let facts: ClusterFacts;
  try {
    facts = await readClusterFacts(cluster, { correlationId: context.correlationId, onCalls });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    log.warn({ cluster: cluster.name, err: reason }, "posture check could not read the cluster");
    await db.clusterPosture.upsert({
      where: { clusterName: cluster.name },
      create: { clusterName: cluster.name, checkedAt: now, findings: [], error: reason },
      update: { checkedAt: now, error: reason },
    });
    countPostureCheck("failed");
    return { cluster: cluster.name, outcome: "failed", findings: 0, armCalls };
  }
  const findings = postureFindings(cluster, facts);
  const outcome = await db.$transaction(async (tx) => {
    // Before the row is read: a scheduled check and "Check now" of one cluster take turns, so a change is recorded once.
    await lockAuditChain(tx);
    const stored = await tx.clusterPosture.findUnique({ where: { clusterName: cluster.name } });
    const before = {
      facts: ZClusterFacts.safeParse(stored?.facts).data ?? null,
      findings: z.array(ZPostureFinding).safeParse(stored?.findings).data ?? [],
    };
    const json = { facts: facts as Prisma.InputJsonValue, findings: findings as Prisma.InputJsonValue };
    await tx.clusterPosture.upsert({
      where: { clusterName: cluster.name },
      create: { clusterName: cluster.name, checkedAt: now, ...json, error: null },
      update: { checkedAt: now, ...json, error: null },
    });
    const changes = describeChanges(before, { facts, findings });
    if (changes.length === 0) return "unchanged" as const;
    await recordAuditEvent(tx, {
      type: "posture.changed",
      actor: null,
      subjectId: cluster.name,
      correlationId: context.correlationId,
      occurredAt: now,
      data: { cluster: cluster.name, changes, facts, findings },
    });
    return "changed" as const;
  });
  countPostureCheck(outcome);
  return { cluster: cluster.name, outcome, findings: findings.length, armCalls };
}

/** The scheduled check of one cluster, with its reconcile job (lib/jobs/start-jobs.ts); a cluster gone from the catalog is skipped. */
export async function checkPostureJob(job: { cluster: string; correlationId: string }, now: Date) {
  const cluster = getCatalog().clusters.find((c) => c.name === job.cluster);
  if (cluster) await checkClusterPosture(cluster, now, job);
}

/** Every catalog cluster, a few at a time, in this process. */
export async function checkAllPostures(
  now: Date,
  correlationId = `posture-${randomUUID()}`,
  clustersAtOnce = CLUSTERS_AT_ONCE,
): Promise<PostureCheck[]> {
  const clusters = getCatalog().clusters;
  const checks: PostureCheck[] = [];
  let next = 0;
  const worker = async () => {
    while (next < clusters.length) checks.push(await checkClusterPosture(clusters[next++]!, now, { correlationId }));
  };
  await Promise.all(Array.from({ length: Math.min(clustersAtOnce, clusters.length) }, worker));
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

/**
 * The latest posture of each catalog cluster, in catalog order, for auditors and admins; a cluster
 * never checked has no row here. Rows of clusters gone from the catalog are left out.
 */
export async function clusterPostures(viewer: SessionUser): Promise<ClusterPosture[]> {
  authorize(viewer, "audit.read");
  const names = getCatalog().clusters.map((c) => c.name);
  const rows = await db.clusterPosture.findMany({ where: { clusterName: { in: names } } });
  const byName = new Map(rows.map((row) => [row.clusterName, row]));
  return names.flatMap((name) => {
    const row = byName.get(name);
    return row ? [ZClusterPosture.parse(row)] : [];
  });
}
