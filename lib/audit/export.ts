import "server-only";
import type { ActionContext } from "@/lib/context";
import { parseInput } from "@/lib/validation/parse-input";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { db } from "@/lib/db/client";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { log } from "@/lib/log";
import { csvLine } from "./csv";
import { readAuditPage, type AuditRow } from "./queries";
import { recordAuditEvent } from "./record-audit-event";
import { ZAuditFilters, type AuditFiltersInput } from "./filters";

export const EXPORT_FORMATS = {
  csv: { contentType: "text/csv; charset=utf-8", extension: "csv" },
  jsonl: { contentType: "application/x-ndjson", extension: "jsonl" },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

/** Rows per query: large enough that a million rows take 500 queries, small enough to hold two pages. */
const BATCH_SIZE = 2_000;

const CSV_COLUMNS = [
  "seq",
  "occurredAt",
  "type",
  "actorUpn",
  "requesterUpn",
  "requestId",
  "clusterName",
  "roleName",
  "justification",
  "ticket",
  "data",
  "hash",
] as const;

const WRITERS: Record<ExportFormat, { header: string; line: (row: AuditRow) => string }> = {
  csv: {
    header: csvLine(CSV_COLUMNS),
    line: (row) =>
      csvLine(
        CSV_COLUMNS.map((column) => {
          const value = row[column];
          if (column === "data") return JSON.stringify(value);
          return value instanceof Date ? value.toISOString() : value === null ? "" : String(value);
        }),
      ),
  },
  // The whole stored event, so that each line's hash can be checked again (lib/audit/chain.ts),
  // plus what its request adds.
  jsonl: {
    header: "",
    line: (row) => `${JSON.stringify({ ...row, seq: row.seq.toString() })}\n`,
  },
};

/**
 * Every event the filters match, newest first, as CSV or JSON Lines, produced while it is sent: one
 * batch is read when the client has taken the one before, so memory stays flat for a million rows.
 * The history is append-only and its writers take turns (record-audit-event.ts), so seq order is
 * commit order: the pages never shift under the export, and events recorded meanwhile come after its
 * first page and are not part of it (its own audit.exported event among them). Auditors and admins
 * only, checked (with the first batch read) before anything is returned; who exported what is audited.
 */
export async function exportAuditEvents(
  context: ActionContext,
  input: AuditFiltersInput,
  format: ExportFormat,
): Promise<ReadableStream<Uint8Array>> {
  await authorizeAttempt(context, "audit.read", "audit.export");
  await enforceRateLimit("audit.export", context.viewer.id, context.now);
  const filters = parseInput(ZAuditFilters, input);
  const writer = WRITERS[format];
  const encoder = new TextEncoder();
  let page = await readAuditPage(filters, { before: null, limit: BATCH_SIZE });
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "audit.exported",
      actor: { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName },
      correlationId: context.origin.correlationId,
      occurredAt: context.now,
      // The filters as parsed (empty ones dropped), so that the export can be run again.
      data: {
        what: "search",
        format,
        filters: Object.fromEntries(
          Object.entries(filters).filter(([, value]) => value !== undefined && `${value}` !== ""),
        ),
        channel: context.origin.channel,
      },
    }),
  );
  let prefix = writer.header;
  let isDone = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (isDone) return;
      controller.enqueue(encoder.encode(prefix + page.rows.map(writer.line).join("")));
      prefix = "";
      if (page.nextBefore === null) {
        isDone = true;
        controller.close();
        return;
      }
      try {
        page = await readAuditPage(filters, { before: page.nextBefore, limit: BATCH_SIZE });
      } catch (error) {
        // The status line is long gone: the client sees the transfer break off, not a short file.
        log.error({ err: error instanceof Error ? error.stack : String(error), format }, "audit export failed");
        isDone = true;
        controller.error(error);
      }
    },
  });
}

export const exportFileName = (format: ExportFormat, now: Date) =>
  `audit-events-${now.toISOString().replace(/[:.]/g, "-")}.${EXPORT_FORMATS[format].extension}`;
