import "server-only";
import type { ActionContext } from "@/lib/context";
import { parseInput } from "@/lib/validation/parse-input";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { db } from "@/lib/db/client";
import { openDirectConnection } from "@/lib/db/direct-connection";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { log } from "@/lib/log";
import { csvField, csvLine } from "./csv";
import { auditPageQuery, type AuditRow } from "./queries";
import { recordAuditEvent } from "./record-audit-event";
import { ZAuditFilters, type AuditFiltersInput } from "./filters";

export const EXPORT_FORMATS = {
  csv: { contentType: "text/csv; charset=utf-8", extension: "csv" },
  jsonl: { contentType: "application/x-ndjson", extension: "jsonl" },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

/** Rows per query: a million rows take 200 queries; two batches in memory are a few megabytes. */
const BATCH_SIZE = 1_000;

/** A page's row as `pg` gives it on the export's own connection: a bigint comes back as text. */
type ExportRow = Omit<AuditRow, "seq"> & { seq: string };

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

/** A value as its CSV field: text as it is, a time in ISO 8601, nothing for null. */
const field = (value: string | Date | null) =>
  value === null ? "" : csvField(value instanceof Date ? value.toISOString() : value);

interface Writer {
  header: string;
  line: (row: ExportRow) => string;
}

const WRITERS: Record<ExportFormat, Writer> = {
  csv: {
    header: csvLine(CSV_COLUMNS),
    // CSV_COLUMNS in order, written out: a million rows should not build a million arrays.
    line: (row) =>
      `${field(row.seq)},${field(row.occurredAt)},${field(row.type)},${field(row.actorUpn)},` +
      `${field(row.requesterUpn)},${field(row.requestId)},${field(row.clusterName)},${field(row.roleName)},` +
      `${field(row.justification)},${field(row.ticket)},${field(JSON.stringify(row.data))},${field(row.hash)}\r\n`,
  },
  // The whole stored event, so that each line's hash can be checked again (lib/audit/chain.ts),
  // plus what its request adds.
  jsonl: {
    header: "",
    line: (row) => `${JSON.stringify(row)}\n`,
  },
};

/**
 * Every event the filters match, newest first, as CSV or JSON Lines, produced while it is sent: the
 * next batch is read while the client takes the one before, so memory stays flat for a million rows.
 * The history is append-only and its writers take turns (record-audit-event.ts), so seq order is
 * commit order: the pages never shift under the export, and events recorded meanwhile come after its
 * first page and are not part of it (its own audit.exported event among them). Auditors and admins
 * only, checked (with the first batch read) before anything is returned; who exported what is audited.
 * The batches are read on a connection of the export's own (lib/db/direct-connection.ts), ended with
 * the stream, whether it finished, failed or the client went away.
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
  const connection = await openDirectConnection();
  const end = () => void connection.end().catch(() => undefined);
  const readBatch = async (before: string | null) => {
    const page = auditPageQuery(filters, { before: before === null ? null : BigInt(before), limit: BATCH_SIZE + 1 });
    const { rows } = await connection.query<ExportRow>(page.text, page.values);
    const hasMore = rows.length > BATCH_SIZE;
    if (hasMore) rows.pop();
    return { rows, nextBefore: hasMore ? rows[rows.length - 1]!.seq : null };
  };
  let batch: Awaited<ReturnType<typeof readBatch>>;
  try {
    batch = await readBatch(null);
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
  } catch (error) {
    end();
    throw error;
  }
  let prefix = writer.header;
  let isDone = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (isDone) return;
      // The database reads the next batch while this one is written out (formatting is synchronous,
      // so the read's outcome is awaited before anything could report it unhandled).
      const next = batch.nextBefore === null ? null : readBatch(batch.nextBefore);
      let text = prefix;
      for (const row of batch.rows) text += writer.line(row);
      prefix = "";
      controller.enqueue(encoder.encode(text));
      if (next === null) {
        isDone = true;
        end();
        controller.close();
        return;
      }
      try {
        batch = await next;
      } catch (error) {
        if (isDone) return; // the client went away and the connection was ended under the read
        // The status line is long gone: the client sees the transfer break off, not a short file.
        log.error({ err: error instanceof Error ? error.stack : String(error), format }, "audit export failed");
        isDone = true;
        end();
        controller.error(error);
      }
    },
    cancel() {
      isDone = true;
      end();
    },
  });
}

export const exportFileName = (format: ExportFormat, now: Date) =>
  `audit-events-${now.toISOString().replace(/[:.]/g, "-")}.${EXPORT_FORMATS[format].extension}`;
