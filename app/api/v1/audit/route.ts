// GET /api/v1/audit?from&to&actor&requester&cluster&role&type&requestId&q&limit&cursor: the audit
// history, newest first, a page at a time (auditors and admins).
import { apiRoute, ok } from "@/lib/api/handler";
import { readQuery } from "@/lib/api/input";
import { ZApiAuditSearchQuery } from "@/lib/api/schemas";
import { searchAuditEvents } from "@/lib/audit/search";
import { ZAuditPage } from "@/lib/schemas/audit-event";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ request, context }) => {
  const search = readQuery(request, ZApiAuditSearchQuery, { repeatable: ["type", "activity"] });
  return ok(ZAuditPage, await searchAuditEvents(context.viewer, search));
});
