import "server-only";
import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { db, type Prisma } from "@/lib/db/client";
import { describeChanges, describeStandingChanges } from "./changes";
import { postureFindings } from "./findings";
import { ZClusterFacts, ZPostureFinding, ZStandingAccess, type ClusterFacts, type StandingAccess } from "./types";

/**
 * What one read of a cluster gave: its facts and standing access (null when that read failed, with
 * why), or why the facts could not be read.
 */
export type PostureRead = { cluster: CatalogCluster } & (
  { facts: ClusterFacts; standing: StandingAccess | null; standingError?: string } | { error: string }
);

export type PostureOutcome = "unchanged" | "changed" | "failed";

/**
 * Stores what a few clusters' reads gave, in one transaction: each cluster's facts and findings in
 * cluster_postures and, when they differ from the stored ones, a `posture.changed` event with what
 * changed. A failed read stores its error and keeps the last facts and findings: not read is not fixed.
 * Standing access that could not be read is left as it was, and the row says why.
 *
 * The clusters' rows are locked first, in name order, and the audit chain after them (lock order:
 * record-audit-event.ts): a scheduled check and "Check now" of one cluster take turns, so a change is
 * recorded once, and the chain's lock is taken only when there is a change to record.
 */
export async function storePostures(
  reads: readonly PostureRead[],
  now: Date,
  correlationId: string,
): Promise<Map<string, { outcome: PostureOutcome; findings: number }>> {
  const sorted = [...reads].sort((a, b) => (a.cluster.name < b.cluster.name ? -1 : 1));
  const names = sorted.map((read) => read.cluster.name);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
        INSERT INTO cluster_postures (cluster_name, checked_at)
        SELECT name, ${now} FROM unnest(${names}::text[]) AS name ORDER BY name
        ON CONFLICT (cluster_name) DO NOTHING`;
      const rows = await tx.$queryRaw<Array<{ name: string; facts: unknown; findings: unknown; standing: unknown }>>`
        SELECT cluster_name AS name, facts, findings, standing FROM cluster_postures
        WHERE cluster_name = ANY(${names}) ORDER BY cluster_name FOR UPDATE`;
      const stored = new Map(rows.map((row) => [row.name, row]));
      const outcomes = new Map<string, { outcome: PostureOutcome; findings: number }>();
      for (const read of sorted) {
        const name = read.cluster.name;
        if ("error" in read) {
          await tx.clusterPosture.update({ where: { clusterName: name }, data: { checkedAt: now, error: read.error } });
          outcomes.set(name, { outcome: "failed", findings: 0 });
          continue;
        }
        const findings = postureFindings(read.cluster, read.facts);
        const before = {
          facts: ZClusterFacts.safeParse(stored.get(name)?.facts).data ?? null,
          findings: z.array(ZPostureFinding).safeParse(stored.get(name)?.findings).data ?? [],
          standing: ZStandingAccess.safeParse(stored.get(name)?.standing).data ?? null,
        };
        const standing = read.standing ?? before.standing;
        await tx.clusterPosture.update({
          where: { clusterName: name },
          data: {
            checkedAt: now,
            facts: read.facts as Prisma.InputJsonValue,
            findings: findings as Prisma.InputJsonValue,
            ...(read.standing ? { standing: read.standing as Prisma.InputJsonValue } : {}),
            error: read.standingError ? `Standing access could not be read: ${read.standingError}` : null,
          },
        });
        const changes = [
          ...describeChanges(before, { facts: read.facts, findings }),
          ...describeStandingChanges(before.standing, read.standing),
        ];
        outcomes.set(name, { outcome: changes.length > 0 ? "changed" : "unchanged", findings: findings.length });
        if (changes.length === 0) continue;
        await recordAuditEvent(tx, {
          type: "posture.changed",
          actor: null,
          subjectId: name,
          correlationId,
          occurredAt: now,
          data: { clusterName: name, changes, facts: read.facts, findings, standing },
        });
      }
      return outcomes;
    },
    // A batch waits its turn at the chain behind other writers rather than fail (Prisma's 2 s / 5 s defaults).
    { maxWait: 30_000, timeout: 60_000 },
  );
}
