import "server-only";
import type { SessionUser } from "@/lib/context";
import { authorize } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { getCatalog } from "@/lib/config/catalog";
import { postureBadges, type PostureBadge } from "./posture-badges";
import { latestPostures } from "./posture-queries";
import type { ClusterPosture } from "./types";

export interface ClusterPostureView {
  /** the catalog's name for the cluster, the key of cluster_postures */
  name: string;
  displayName: string;
  environment: string;
  /** null: never checked */
  posture: ClusterPosture | null;
  badges: PostureBadge[];
}

/**
 * The Posture page: every catalog cluster with its last check, findings and standing access.
 * Auditors and admins read it; admins may also run the check (`canCheck`).
 */
export async function loadPostureOverview(viewer: SessionUser) {
  authorize(viewer, "audit.read");
  const byName = new Map((await latestPostures()).map((p) => [p.clusterName, p]));
  const clusters: ClusterPostureView[] = getCatalog().clusters.map((cluster) => {
    const posture = byName.get(cluster.name) ?? null;
    return {
      name: cluster.name,
      displayName: cluster.displayName,
      environment: cluster.environment,
      posture,
      badges: postureBadges(posture),
    };
  });
  return { clusters, canCheck: can(viewer.roles, "access.administer") };
}

/**
 * The badges of every catalog cluster, for whoever requests or approves access: counts and switches
 * only, never who holds standing access.
 */
export async function clusterPostureBadges(viewer: SessionUser): Promise<Record<string, PostureBadge[]>> {
  authorize(viewer, "access.request");
  const postures = await latestPostures();
  return Object.fromEntries(postures.map((p) => [p.clusterName, postureBadges(p)]));
}
