import "server-only";
import { loadRequestView } from "@/lib/access/request-queries";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { readStoredJson } from "@/lib/domain/policy-snapshot";
import { ZActivitySummary, type ActivitySummary } from "./types";

export interface RequestActivity {
  summary: ActivitySummary;
  summarisedAt: Date;
  isComplete: boolean;
  /** the `activity.summarised` audit event that recorded it */
  eventSeq: string;
}

/**
 * A request's latest activity summary, for whoever may see the request (its holder, its approvers,
 * auditors and admins: loadRequestView's rule, a 404 for anyone else); null while none was made.
 */
export async function loadRequestActivity(viewer: SessionUser, requestId: string): Promise<RequestActivity | null> {
  await loadRequestView(requestId, viewer);
  const row = await db.requestActivity.findUnique({ where: { requestId } });
  if (!row) return null;
  return {
    summary: readStoredJson(ZActivitySummary, row.summary, {
      table: "request_activities",
      rowId: requestId,
      column: "summary",
    }),
    summarisedAt: row.summarisedAt,
    isComplete: row.isComplete,
    eventSeq: row.eventSeq.toString(),
  };
}
