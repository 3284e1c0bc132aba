import "server-only";
import { db } from "@/lib/db/client";
import { ZClusterFacts, ZPostureFinding, ZStandingAccess, type ClusterFacts, type ClusterPosture } from "./types";

/**
 * The latest posture of each catalog cluster, as the check stored it in cluster_postures. No
 * authorization here: callers decide who may see what (the Posture page is for auditors and admins;
 * requesters only get the facts their commands and badges follow). A stored value that no longer
 * parses reads as unknown (null, or no findings) rather than failing the page that shows it.
 */

type PostureRow = Awaited<ReturnType<typeof db.clusterPosture.findMany>>[number];

function toPosture(row: PostureRow): ClusterPosture {
  const facts = ZClusterFacts.safeParse(row.facts);
  const findings = ZPostureFinding.array().safeParse(row.findings);
  const standing = ZStandingAccess.safeParse(row.standing);
  return {
    clusterName: row.clusterName,
    checkedAt: row.checkedAt,
    facts: facts.success ? facts.data : null,
    findings: findings.success ? findings.data : [],
    standing: standing.success ? standing.data : null,
    error: row.error,
  };
}

/** Every stored posture, by cluster name. */
export async function latestPostures(): Promise<ClusterPosture[]> {
  const rows = await db.clusterPosture.findMany({ orderBy: { clusterName: "asc" } });
  return rows.map(toPosture);
}

/** One cluster's stored posture, or null when it was never checked. */
export async function postureOf(clusterName: string): Promise<ClusterPosture | null> {
  const row = await db.clusterPosture.findUnique({ where: { clusterName } });
  return row ? toPosture(row) : null;
}

/** The facts of every checked cluster, for the connection commands of many requests at once. */
export async function factsByCluster(): Promise<Map<string, ClusterFacts | null>> {
  const rows = await db.clusterPosture.findMany({ select: { clusterName: true, facts: true } });
  return new Map(
    rows.map((row) => {
      const facts = ZClusterFacts.safeParse(row.facts);
      return [row.clusterName, facts.success ? facts.data : null];
    }),
  );
}
