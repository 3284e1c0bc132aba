import "server-only";
import { visibleTo } from "@/lib/access/request-queries";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { ZActivitySummary, type ActivitySummary } from "./types";

/*
 * THROWAWAY (i19-ui): a stand-in for i19-core's reader, so that the UI compiles and runs before it
 * is merged. The lead takes i19-core's version of this file at merge.
 */

/** The request's latest activity summary, if the viewer may see the request and one was stored. */
export async function loadRequestActivity(
  viewer: SessionUser,
  requestId: string,
): Promise<{ summary: ActivitySummary; summarisedAt: string; isComplete: boolean } | null> {
  const [visible, row] = await Promise.all([
    db.accessRequest.count({ where: { AND: [{ id: requestId }, visibleTo(viewer)] } }),
    db.requestActivity.findUnique({ where: { requestId } }),
  ]);
  if (visible === 0 || !row) return null;
  return {
    summary: ZActivitySummary.parse(row.summary),
    summarisedAt: row.summarisedAt.toISOString(),
    isComplete: row.isComplete,
  };
}
