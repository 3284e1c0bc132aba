import "server-only";
import { LogsQueryResultStatus, type LogsQueryClient, type LogsTable } from "@azure/monitor-query-logs";
import { logsQueryClient } from "@/lib/cloud/credentials";
import { log } from "@/lib/log";
import { countActivityQuery } from "@/lib/metrics/record";
import { collectAuditLogsCommand, workspaceReaderCommand } from "./find-workspace";
import { countsQuery, listedQuery, type ActivityQueryInput } from "./kql";
import type { CountRow, ListedRow } from "./rows";
import { ACTIVITY_LISTED_CALLS, ACTIVITY_SLICE_HOURS, type ActivityProblem, type AuditTable } from "./types";

/*
 * The holder's rows from Log Analytics: countsQuery and listedQuery over the window in slices of
 * ACTIVITY_SLICE_HOURS, through the query API (https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format),
 * with statistics asked for (Prefer: include-statistics=true) to count the rows each query scanned.
 * Listing stops once ACTIVITY_LISTED_CALLS calls are listed.
 *
 * Answers (https://learn.microsoft.com/azure/azure-monitor/logs/api/errors,
 * https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format#partial-errors):
 * - a partial result (PartialFailure) keeps its rows and records a problem: the summary says so;
 * - 403 InsufficientAccessError: the app lacks Log Analytics Reader on the workspace;
 * - 400 BadArgumentError with an inner SemanticError naming the table: the workspace has no such table;
 * - 429: the SDK has waited out Retry-After (its retry policy) and been refused again: thrown, for the
 *   job to retry later (ActivityThrottledError).
 */

export interface QueryStats {
  queries: number;
  rowsReturned: number;
  rowsScanned: number;
}

export interface ActivityRows {
  counts: CountRow[];
  listed: ListedRow[];
  isListTruncated: boolean;
  queries: Array<{ text: string; timespan: string }>;
  stats: QueryStats;
  problems: ActivityProblem[];
  /** set when the logs could not be read at all: the summary is unavailable */
  failure: ActivityProblem | null;
}

/** Log Analytics throttled the app beyond the SDK's retries: try the whole summary again later. */
export class ActivityThrottledError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
    this.name = "ActivityThrottledError";
  }
}

export interface ActivityQuery {
  clusterId: string;
  workspaceResourceId: string;
  customerId: string;
  table: AuditTable;
  userPrincipalName: string;
  objectId: string;
  window: { from: Date; to: Date; accessEnd: Date };
}

const SLICE_MS = ACTIVITY_SLICE_HOURS * 3_600_000;

/** [from, to) in slices of ACTIVITY_SLICE_HOURS, oldest first. */
export function slicesOf(from: Date, to: Date): Array<{ from: Date; to: Date }> {
  const slices: Array<{ from: Date; to: Date }> = [];
  for (let start = from.getTime(); start < to.getTime(); start += SLICE_MS) {
    slices.push({ from: new Date(start), to: new Date(Math.min(start + SLICE_MS, to.getTime())) });
  }
  return slices;
}

export async function queryActivity(
  query: ActivityQuery,
  client: LogsQueryClient = logsQueryClient(),
): Promise<ActivityRows> {
  const rows: ActivityRows = {
    counts: [],
    listed: [],
    isListTruncated: false,
    queries: [],
    stats: { queries: 0, rowsReturned: 0, rowsScanned: 0 },
    problems: [],
    failure: null,
  };
  const run = async (text: string, slice: { from: Date; to: Date }) => {
    const timespan = `${slice.from.toISOString()}/${slice.to.toISOString()}`;
    rows.queries.push({ text, timespan });
    rows.stats.queries += 1;
    const answer = await runQuery(client, query, text, slice);
    if ("failure" in answer) {
      countActivityQuery(query.table, "failed", 0, 0);
      return answer;
    }
    rows.stats.rowsReturned += answer.rows.length;
    rows.stats.rowsScanned += answer.scanned;
    countActivityQuery(query.table, answer.partial ? "partial" : "ok", answer.rows.length, answer.scanned);
    if (answer.partial) rows.problems.push(answer.partial);
    return answer;
  };
  for (const slice of slicesOf(query.window.from, query.window.to)) {
    const input: ActivityQueryInput = { ...query, ...slice, accessEnd: query.window.accessEnd };
    const counts = await run(countsQuery(input), slice);
    if ("failure" in counts) return { ...rows, failure: counts.failure };
    rows.counts.push(...counts.rows.map(countRow));
    if (rows.isListTruncated) continue;
    // One more than room is left for: a row beyond it means the list is cut.
    const room = ACTIVITY_LISTED_CALLS - rows.listed.length;
    const listed = await run(listedQuery(input, room + 1), slice);
    if ("failure" in listed) return { ...rows, failure: listed.failure };
    const calls = listed.rows.map(listedRow);
    rows.listed.push(...calls.slice(0, room));
    if (calls.length > room) rows.isListTruncated = true;
  }
  return rows;
}

type Answer =
  { rows: Record<string, unknown>[]; scanned: number; partial: ActivityProblem | null } | { failure: ActivityProblem };

async function runQuery(
  client: LogsQueryClient,
  query: ActivityQuery,
  text: string,
  slice: { from: Date; to: Date },
): Promise<Answer> {
  try {
    const result = await client.queryWorkspace(
      query.customerId,
      text,
      { startTime: slice.from, endTime: slice.to },
      { includeQueryStatistics: true, serverTimeoutInSeconds: 120 },
    );
    const scanned = scannedRows(result.statistics);
    if (result.status === LogsQueryResultStatus.Success) {
      return { rows: tableRows(result.tables[0]), scanned, partial: null };
    }
    const { code, message } = result.partialError;
    log.warn({ workspace: query.customerId, code, message }, "Log Analytics answered part of a query");
    return {
      rows: tableRows(result.partialTables[0]),
      scanned,
      partial: {
        code: "query-failed",
        message: `Log Analytics answered only part of a query (${code}: ${message}): the summary may miss calls.`,
        fix: "Check activity again later; if it persists, narrow the access period or ask Azure support about the workspace.",
      },
    };
  } catch (error) {
    return { failure: problemOf(error, query) };
  }
}

interface RestErrorShape {
  statusCode?: number;
  code?: string;
  message: string;
  response?: { headers?: { get(name: string): string | undefined } };
  details?: { error?: ErrorInfo };
}
interface ErrorInfo {
  code?: string;
  message?: string;
  innererror?: ErrorInfo;
  innerError?: ErrorInfo;
  details?: ErrorInfo[];
}

/** Every code and message of the error and its inner errors. */
function errorTrail(info: ErrorInfo | undefined): ErrorInfo[] {
  if (!info) return [];
  return [info, ...errorTrail(info.innererror ?? info.innerError), ...(info.details ?? []).flatMap(errorTrail)];
}

function problemOf(error: unknown, query: ActivityQuery): ActivityProblem {
  const rest = error as RestErrorShape;
  const status = rest.statusCode;
  const trail = errorTrail(rest.details?.error);
  const codes = new Set([rest.code, ...trail.map((e) => e.code)]);
  const words = [rest.message, ...trail.map((e) => e.message)].filter(Boolean).join(" ");
  if (status === 429) {
    const retryAfter = Number(rest.response?.headers?.get("retry-after"));
    throw new ActivityThrottledError(
      `Log Analytics is throttling AKS JIT (${words})`,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  if (status === 403 || codes.has("InsufficientAccessError")) {
    return {
      code: "no-workspace-access",
      message: `Log Analytics refused AKS JIT's query of the workspace ${query.workspaceResourceId}: ${words}`,
      fix: workspaceReaderCommand(query.workspaceResourceId),
    };
  }
  if (codes.has("SemanticError") && words.includes(query.table)) {
    return {
      code: "table-missing",
      message: `The workspace ${query.workspaceResourceId} has no ${query.table} table: the cluster's ${query.table === "AKSAudit" ? "kube-audit" : "kube-audit-admin"} logs are not sent to it in resource-specific mode (${words})`,
      fix: `${collectAuditLogsCommand(query.clusterId, query.workspaceResourceId, query.table)}${query.table === "AKSAudit" ? " — or set auditLogs.table: AKSAuditAdmin for the cluster in the catalog" : ""}`,
    };
  }
  if (status !== undefined && status >= 500) throw error;
  if (status === undefined) throw error;
  return {
    code: "query-failed",
    message: `Log Analytics could not run the activity query on ${query.workspaceResourceId} (${status ?? "no answer"}): ${words}`,
    fix: "Check the workspace in the Azure portal and check activity again.",
  };
}

/** statistics.query.datasetStatistics[].tableRowCount, summed. */
function scannedRows(statistics: Record<string, unknown> | undefined): number {
  const datasets = (statistics?.query as { datasetStatistics?: Array<{ tableRowCount?: number }> } | undefined)
    ?.datasetStatistics;
  return (datasets ?? []).reduce((n, d) => n + (Number(d.tableRowCount) || 0), 0);
}

/** A table's rows as objects by column name. */
function tableRows(table: LogsTable | undefined): Record<string, unknown>[] {
  if (!table) return [];
  const names = table.columnDescriptors.map((c) => c.name ?? "");
  return table.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));
const int = (value: unknown) => (Number.isFinite(Number(value)) ? Math.trunc(Number(value)) : 0);

function countRow(row: Record<string, unknown>): CountRow {
  return {
    verb: text(row.Verb),
    resource: text(row.Resource),
    subresource: text(row.Subresource),
    namespace: text(row.Namespace),
    code: int(row.Code),
    afterEnd: row.AfterEnd === true || row.AfterEnd === "true" || row.AfterEnd === 1,
    calls: int(row.Calls),
  };
}

function listedRow(row: Record<string, unknown>): ListedRow {
  const at = row.TimeGenerated instanceof Date ? row.TimeGenerated : new Date(text(row.TimeGenerated));
  // Dynamic columns come as JSON text, which the SDK parses; an array of addresses either way.
  let ips: unknown = row.SourceIps;
  if (typeof ips === "string") {
    try {
      ips = JSON.parse(ips);
    } catch {
      ips = [ips];
    }
  }
  return {
    at: at.toISOString(),
    verb: text(row.Verb),
    requestUri: text(row.RequestUri),
    resource: text(row.Resource),
    subresource: text(row.Subresource),
    namespace: text(row.Namespace),
    name: text(row.Name),
    apiGroup: text(row.ApiGroup),
    code: int(row.Code),
    sourceIps: Array.isArray(ips) ? ips.map(text) : [],
    userAgent: text(row.UserAgent),
  };
}
