// GET /api/v1/audit/export?format=csv|jsonl&<the search's filters>: every matching event as a file,
// streamed (auditors and admins).
import { apiRoute, streamed } from "@/lib/api/handler";
import { readQuery } from "@/lib/api/input";
import { ZApiAuditExportQuery } from "@/lib/api/schemas";
import { EXPORT_FORMATS, exportAuditEvents, exportFileName } from "@/lib/audit/export";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ request, context }) => {
  const { format, ...filters } = readQuery(request, ZApiAuditExportQuery, { repeatable: ["type", "activity"] });
  const body = await exportAuditEvents(context, filters, format);
  return streamed(body, {
    "content-type": EXPORT_FORMATS[format].contentType,
    "content-disposition": `attachment; filename="${exportFileName(format, context.now)}"`,
  });
});
