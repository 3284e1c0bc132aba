import "server-only";
import { loadRequestView } from "@/lib/access/request-queries";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { ZActivitySummary, type ActivitySummary } from "./types";

/*
 * THROWAWAY (i19-ui): a stand-in with the same name and shape as i19-core's reader, so that the UI
 * compiles and runs before it is merged. The lead takes i19-core's version of this file at merge.
 */

export interface RequestActivity {
  summary: ActivitySummary;
  summarisedAt: Date;
  isComplete: boolean;
  /** the `activity.summarised` audit event that recorded it */
  eventSeq: string;
}

/** A request's latest activity summary, for whoever may see the request; null while none was made. */
export async function loadRequestActivity(viewer: SessionUser, requestId: string): Promise<RequestActivity | null> {
  await loadRequestView(requestId, viewer);
  const row = await db.requestActivity.findUnique({ where: { requestId } });
  if (!row) return null;
  return {
    summary: ZActivitySummary.parse(row.summary),
    summarisedAt: row.summarisedAt,
    isComplete: row.isComplete,
    eventSeq: row.eventSeq.toString(),
  };
}
