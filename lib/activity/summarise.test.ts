import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { portalLogsLink } from "./portal-link";
import type { CountRow, ListedRow } from "./rows";
import { rowsHash } from "./rows-hash";
import { summariseActivity, type SummaryInput } from "./summarise";
import { ACTIVITY_LISTED_CALLS, ZActivitySummary } from "./types";

const from = new Date("2026-12-01T10:00:00Z");
const accessEnd = new Date("2026-12-01T11:00:00Z");
const to = new Date("2026-12-01T12:15:00Z");

const count = (row: Partial<CountRow>): CountRow => ({
  verb: "get",
  resource: "pods",
  subresource: "",
  namespace: "default",
  code: 200,
  afterEnd: false,
  calls: 1,
  ...row,
});
const listed = (row: Partial<ListedRow>): ListedRow => ({
  at: "2026-12-01T10:30:00.000Z",
  verb: "get",
  requestUri: "/api/v1/namespaces/default/pods/web-1",
  resource: "pods",
  subresource: "",
  namespace: "default",
  name: "web-1",
  apiGroup: "",
  code: 200,
  sourceIps: ["10.0.0.4"],
  userAgent: "kubectl/v1.31.0",
  ...row,
});

function input(kubernetes: Partial<NonNullable<SummaryInput["kubernetes"]>> | null): SummaryInput {
  return {
    requestId: "0b3c2d39-6f1c-4a7e-9a55-3f6a1d8c2b10",
    clusterName: "aks-prod-weu",
    holder: { id: "11111111-1111-1111-1111-111111111111", userPrincipalName: "n01@contoso.com" },
    window: { from, accessEnd, to, isComplete: true },
    queriedAt: new Date("2026-12-01T12:30:00Z"),
    kubernetes: kubernetes && {
      table: "AKSAudit",
      workspaceResourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
      workspaceId: "22222222-2222-2222-2222-222222222222",
      queries: [],
      portalLink: "https://portal.azure.com/",
      counts: [],
      listed: [],
      isListTruncated: false,
      ...kubernetes,
    },
    nodeSignIns: null,
    problems: [],
  };
}

describe("summariseActivity", () => {
  it("counts every call, lists the sensitive, denied and after-end ones, and flags each", () => {
    const summary = summariseActivity(
      input({
        counts: [
          count({ verb: "list", calls: 7 }),
          count({ verb: "get", resource: "secrets", calls: 1 }),
          count({ verb: "create", subresource: "exec", calls: 1 }),
          count({ verb: "delete", calls: 1 }),
          count({ verb: "get", afterEnd: true, calls: 1 }),
          count({ verb: "delete", namespace: "kube-system", code: 403, calls: 1 }),
          // the same group again, from the next slice
          count({ verb: "list", calls: 3 }),
        ],
        listed: [
          listed({ at: "2026-12-01T11:20:00.000Z" }),
          listed({ at: "2026-12-01T10:10:00.000Z", resource: "secrets", name: "db" }),
          listed({ at: "2026-12-01T10:20:00.000Z", verb: "create", subresource: "exec" }),
          listed({ at: "2026-12-01T10:40:00.000Z", verb: "delete" }),
          listed({ at: "2026-12-01T10:50:00.000Z", verb: "delete", namespace: "kube-system", code: 403 }),
        ],
      }),
    );
    expect(ZActivitySummary.parse(summary)).toEqual(summary);
    const k = summary.kubernetes!;
    expect(summary.status).toBe("summarised");
    expect(k).toMatchObject({
      totalCalls: 15,
      secretReads: 1,
      sensitiveCalls: 4,
      deniedCalls: 1,
      afterEndCalls: 1,
      rowsReturned: 12,
      hasReads: true,
      isListTruncated: false,
    });
    expect(k.byVerb).toEqual([
      { key: "list", count: 10 },
      { key: "delete", count: 2 },
      { key: "get", count: 2 },
      { key: "create", count: 1 },
    ]);
    expect(k.byResource).toEqual([
      { key: "pods", count: 13 },
      { key: "pods/exec", count: 1 },
      { key: "secrets", count: 1 },
    ]);
    expect(k.byNamespace).toEqual([
      { key: "default", count: 14 },
      { key: "kube-system", count: 1 },
    ]);
    expect(k.listed.map((c) => [c.at.slice(11, 16), c.kinds, c.isDenied, c.isAfterEnd])).toEqual([
      ["10:10", ["secret-read"], false, false],
      ["10:20", ["exec"], false, false],
      ["10:40", ["delete"], false, false],
      ["10:50", ["delete"], true, false],
      ["11:20", [], false, true],
    ]);
  });

  it("says there were no calls rather than nothing", () => {
    const summary = summariseActivity(input({ table: "AKSAuditAdmin" }));
    expect(summary.status).toBe("summarised");
    expect(summary.kubernetes).toMatchObject({ totalCalls: 0, listed: [], hasReads: false, byVerb: [] });
  });

  it("is unavailable, with its problem, when the logs could not be read", () => {
    const problem = { code: "not-collected" as const, message: "no setting", fix: "az monitor ..." };
    const summary = summariseActivity({ ...input(null), problems: [problem] });
    expect(summary).toMatchObject({ status: "unavailable", kubernetes: null, problems: [problem] });
  });

  it("lists at most ACTIVITY_LISTED_CALLS and says the list is cut", () => {
    const many = Array.from({ length: ACTIVITY_LISTED_CALLS + 3 }, (_, i) =>
      listed({ at: new Date(from.getTime() + i * 1000).toISOString(), verb: "delete" }),
    );
    const k = summariseActivity(input({ listed: many })).kubernetes!;
    expect(k.listed).toHaveLength(ACTIVITY_LISTED_CALLS);
    expect(k.isListTruncated).toBe(true);
  });

  it("counts a node-debugger pod, which the counts cannot tell from another pod create", () => {
    const k = summariseActivity(
      input({
        counts: [count({ verb: "create", calls: 2 })],
        listed: [listed({ verb: "create", name: "node-debugger-aks-nodepool1-0-x1" })],
      }),
    ).kubernetes!;
    expect(k.sensitiveCalls).toBe(1);
    expect(k.listed[0]!.kinds).toEqual(["node-debug"]);
  });

  it("flags sign-ins to the nodes after the end", () => {
    const summary = summariseActivity({
      ...input({}),
      nodeSignIns: {
        query: "/auditLogs/signIns?$filter=...",
        items: [
          { id: "b", createdDateTime: "2026-12-01T11:05:00Z", status: { errorCode: 0 } },
          { id: "a", createdDateTime: "2026-12-01T10:05:00Z", status: { errorCode: 50076, failureReason: "MFA" } },
        ],
      },
    });
    expect(summary.nodeSignIns).toMatchObject({ total: 2, afterEnd: 1 });
    expect(summary.nodeSignIns!.items.map((i) => [i.id, i.errorCode, i.isAfterEnd])).toEqual([
      ["a", 50076, false],
      ["b", 0, true],
    ]);
  });
});

describe("rowsHash", () => {
  const counts = [count({ verb: "list", calls: 2 }), count({ verb: "get", calls: 1 })];
  const calls = [listed({ at: "2026-12-01T10:01:00.000Z" }), listed({ at: "2026-12-01T10:02:00.000Z" })];

  it("is the same for the same rows in any order", () => {
    expect(rowsHash(counts, calls)).toBe(rowsHash([...counts].reverse(), [...calls].reverse()));
    expect(rowsHash(counts, calls)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes when any row does", () => {
    const base = rowsHash(counts, calls);
    expect(rowsHash([count({ verb: "list", calls: 3 }), counts[1]!], calls)).not.toBe(base);
    expect(rowsHash(counts, [calls[0]!, listed({ at: "2026-12-01T10:02:00.000Z", code: 403 })])).not.toBe(base);
  });
});

describe("portalLogsLink", () => {
  it("carries the query gzip-compressed and base64-encoded, the workspace and the interval", () => {
    const workspace = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law";
    const query = 'AKSAudit\n| where Verb == "delete"';
    const link = portalLogsLink({ tenantId: "t-1", workspaceResourceId: workspace, query, from, to });
    expect(link).toMatch(
      /^https:\/\/portal\.azure\.com\/#@t-1\/blade\/Microsoft_Azure_Monitoring_Logs\/LogsBlade\/resourceId\/%2Fsubscriptions%2Fs%2F.*\/source\/LogsBlade\.AnalyticsShareLinkToQuery\/q\/.+\/timespan\/2026-12-01T10%3A00%3A00\.000Z%2F2026-12-01T12%3A15%3A00\.000Z$/,
    );
    const q = decodeURIComponent(link.split("/q/")[1]!.split("/timespan/")[0]!);
    expect(gunzipSync(Buffer.from(q, "base64")).toString("utf8")).toBe(query);
  });
});
