import "server-only";
import { parseInput } from "@/lib/validation/parse-input";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { cursorOf, seqOf, ZAuditSearch, type AuditSearchInput } from "./filters";
import { AUDIT_EVENT_TYPES } from "./event-types";
import { countAuditEvents, readAuditPage } from "./queries";
import { ZAuditEventType, type AuditSearchPage } from "@/lib/schemas/audit-event";

/** Every event type, for the `type` filter. */
export { AUDIT_EVENT_TYPES };

/** Counts stop here unless asked for an exact count: see countAuditEvents. */
export const COUNT_CAP = 10_000;

/** One event as the search shows it, and a page of them: described once, by the API's schemas. */
export type { AuditSearchEvent, AuditSearchPage } from "@/lib/schemas/audit-event";

/** Auditor search, newest first, a page at a time. Auditors and admins only. */
export async function searchAuditEvents(viewer: SessionUser, input: AuditSearchInput): Promise<AuditSearchPage> {
  authorize(viewer, "audit.read");
  const search = parseInput(ZAuditSearch, input);
  const [page, count] = await Promise.all([
    readAuditPage(search, { before: search.cursor ? seqOf(search.cursor)! : null, limit: search.limit }),
    countAuditEvents(search, search.count === "exact" ? null : COUNT_CAP),
  ]);
  const isCountExact = search.count === "exact" || count <= COUNT_CAP;
  return {
    events: page.rows.map((row) => ({
      seq: row.seq.toString(),
      occurredAt: row.occurredAt,
      type: ZAuditEventType.parse(row.type),
      actorUpn: row.actorUpn,
      requestId: row.requestId,
      clusterName: row.clusterName,
      roleName: row.roleName,
      requesterUpn: row.requesterUpn,
      data: row.data,
    })),
    nextCursor: page.nextBefore === null ? null : cursorOf(page.nextBefore),
    count: isCountExact ? count : COUNT_CAP,
    isCountExact,
  };
}
