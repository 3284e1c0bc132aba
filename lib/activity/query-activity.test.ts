import {
  LogsQueryResultStatus,
  type LogsQueryClient,
  type LogsQueryResult,
  type LogsTable,
} from "@azure/monitor-query-logs";
import { describe, expect, it, vi } from "vitest";
import { ActivityThrottledError, queryActivity, slicesOf, type ActivityQuery } from "./query-activity";
import { ACTIVITY_LISTED_CALLS } from "./types";

vi.mock("@/lib/config/env", () => ({ env: { ENTRA_CLIENT_ID: "app-client-id" } }));
vi.mock("@/lib/cloud/credentials", () => ({ logsQueryClient: () => undefined }));
vi.mock("@/lib/metrics/record", () => ({ countActivityQuery: () => undefined }));
vi.mock("@/lib/log", () => ({ log: { warn: () => undefined, info: () => undefined } }));
vi.mock("./arm-read", () => ({ armRead: () => undefined }));

/** queryActivity against a stand-in for the SDK's client: slicing, listing, and each documented failure. */

const from = new Date("2026-12-01T10:00:00Z");
const query: ActivityQuery = {
  clusterId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  workspaceResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
  customerId: "c0000000-0000-0000-0000-000000000001",
  table: "AKSAudit",
  userPrincipalName: "n01@contoso.com",
  objectId: "9a4140a5-ae17-414a-9737-f41d31b6d0fd",
  window: { from, accessEnd: new Date("2026-12-01T11:00:00Z"), to: new Date("2026-12-01T12:15:00Z") },
};

const COUNT_COLUMNS = ["Verb", "Resource", "Subresource", "Namespace", "Code", "AfterEnd", "Calls"];
const LIST_COLUMNS = [
  "TimeGenerated",
  "Verb",
  "RequestUri",
  "Resource",
  "Subresource",
  "Namespace",
  "Name",
  "ApiGroup",
  "Code",
  "SourceIps",
  "UserAgent",
];
const table = (columns: string[], rows: unknown[][]) => ({
  name: "PrimaryResult",
  columnDescriptors: columns.map((name) => ({ name, type: "string" as const })),
  rows: rows as LogsTable["rows"],
});
const ok = (columns: string[], rows: unknown[][]): LogsQueryResult => ({
  status: LogsQueryResultStatus.Success,
  tables: [table(columns, rows)],
  statistics: { query: { datasetStatistics: [{ tableRowCount: 1000 }] } },
});
const listed = (at: string) => [
  new Date(at),
  "delete",
  "/api/v1/x",
  "pods",
  "",
  "ns",
  "x",
  "",
  200,
  ["10.0.0.1"],
  "kubectl",
];

function fakeClient(answer: (text: string, call: number) => LogsQueryResult | Error) {
  const sent: string[] = [];
  const client = {
    queryWorkspace: async (_workspace: string, text: string) => {
      sent.push(text);
      const result = answer(text, sent.length);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as LogsQueryClient;
  return { client, sent };
}

const restError = (statusCode: number, code: string, inner?: { code: string; message: string }, retryAfter?: string) =>
  Object.assign(new Error(`${code}: failed`), {
    statusCode,
    code,
    details: { error: { code, message: `${code}: failed`, ...(inner ? { innererror: inner } : {}) } },
    response: { headers: { get: (name: string) => (name === "retry-after" ? retryAfter : undefined) } },
  });

describe("slicesOf", () => {
  it("cuts a window into days, the last one short", () => {
    const slices = slicesOf(from, new Date("2026-12-03T12:00:00Z"));
    expect(slices.map((s) => [s.from.toISOString(), s.to.toISOString()])).toEqual([
      ["2026-12-01T10:00:00.000Z", "2026-12-02T10:00:00.000Z"],
      ["2026-12-02T10:00:00.000Z", "2026-12-03T10:00:00.000Z"],
      ["2026-12-03T10:00:00.000Z", "2026-12-03T12:00:00.000Z"],
    ]);
  });
});

describe("queryActivity", () => {
  it("reads the counts and the listed calls of each slice, with the rows each scanned", async () => {
    const { client, sent } = fakeClient((text) =>
      text.includes("summarize")
        ? ok(COUNT_COLUMNS, [["delete", "pods", "", "ns", 200, false, 2]])
        : ok(LIST_COLUMNS, [listed("2026-12-01T10:05:00Z")]),
    );
    const rows = await queryActivity(query, client);
    expect(sent).toHaveLength(2);
    expect(rows.failure).toBeNull();
    expect(rows.counts).toEqual([
      { verb: "delete", resource: "pods", subresource: "", namespace: "ns", code: 200, afterEnd: false, calls: 2 },
    ]);
    expect(rows.listed[0]).toMatchObject({ at: "2026-12-01T10:05:00.000Z", sourceIps: ["10.0.0.1"], code: 200 });
    expect(rows.stats).toEqual({ queries: 2, rowsReturned: 2, rowsScanned: 2000 });
    expect(rows.queries.map((q) => q.timespan)).toEqual([
      "2026-12-01T10:00:00.000Z/2026-12-01T12:15:00.000Z",
      "2026-12-01T10:00:00.000Z/2026-12-01T12:15:00.000Z",
    ]);
    expect(sent[1]).toContain(`take ${ACTIVITY_LISTED_CALLS + 1}`);
  });

  it("stops listing once ACTIVITY_LISTED_CALLS are listed, and says the list is cut", async () => {
    const long = { ...query, window: { ...query.window, to: new Date("2026-12-04T10:00:00Z") } };
    const { client, sent } = fakeClient((text) =>
      text.includes("summarize")
        ? ok(COUNT_COLUMNS, [])
        : ok(
            LIST_COLUMNS,
            Array.from({ length: ACTIVITY_LISTED_CALLS + 1 }, (_, i) =>
              listed(new Date(from.getTime() + i).toISOString()),
            ),
          ),
    );
    const rows = await queryActivity(long, client);
    expect(rows.listed).toHaveLength(ACTIVITY_LISTED_CALLS);
    expect(rows.isListTruncated).toBe(true);
    // Three slices counted, one listed.
    expect(sent.filter((t) => t.includes("summarize"))).toHaveLength(3);
    expect(sent.filter((t) => t.includes("| take"))).toHaveLength(1);
  });

  it("keeps a partial answer's rows and records the problem", async () => {
    const { client } = fakeClient((text) =>
      text.includes("summarize")
        ? {
            status: LogsQueryResultStatus.PartialFailure,
            partialTables: [table(COUNT_COLUMNS, [["get", "pods", "", "ns", 200, false, 5]])],
            partialError: { code: "PartialError", message: "query exceeded the limits" },
          }
        : ok(LIST_COLUMNS, []),
    );
    const rows = await queryActivity(query, client);
    expect(rows.counts[0]!.calls).toBe(5);
    expect(rows.problems).toEqual([expect.objectContaining({ code: "query-failed" })]);
    expect(rows.problems[0]!.message).toContain("PartialError");
  });

  it.each([
    [
      "403 InsufficientAccessError",
      restError(403, "InsufficientAccessError"),
      "no-workspace-access",
      /^az role assignment create --role "Log Analytics Reader" --assignee \S+ --scope \/subscriptions\/s\//,
    ],
    [
      "400 SemanticError naming the table",
      restError(400, "BadArgumentError", {
        code: "SemanticError",
        message: "'where' operator: Failed to resolve table or column expression named 'AKSAudit'",
      }),
      "table-missing",
      /az monitor diagnostic-settings create .*"category":"kube-audit".*auditLogs\.table: AKSAuditAdmin/,
    ],
    ["404 WorkspaceNotFoundError", restError(404, "PathNotFoundError"), "query-failed", /./],
  ])("words %s as %s", async (_, error, code, fix) => {
    const { client } = fakeClient(() => error);
    const rows = await queryActivity(query, client);
    expect(rows.failure).toMatchObject({ code });
    expect(rows.failure!.fix).toMatch(fix);
  });

  it("throws when throttled beyond the SDK's retries, with the service's Retry-After, for the job to retry", async () => {
    const { client } = fakeClient(() => restError(429, "ThrottledError", undefined, "17"));
    await expect(queryActivity(query, client)).rejects.toEqual(expect.any(ActivityThrottledError));
    await expect(queryActivity(query, client)).rejects.toMatchObject({ retryAfterSeconds: 17 });
  });
});
