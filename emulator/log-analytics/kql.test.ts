import { describe, expect, it } from "vitest";
import { countsQuery, listedQuery, type ActivityQueryInput } from "@/lib/activity/kql";
import { KqlError, parseQuery, runQuery, serialiseValue, type Row } from "./kql";
import { type AuditUser, LogStore } from "./store";

const WORKSPACE_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law";
const CLUSTER = {
  name: "aks-prod-weu",
  resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu",
  subscriptionId: "s",
};
const OID = "9a4140a5-ae17-414a-9737-f41d31b6d0fd";
const alice: AuditUser = { username: "Alice@Contoso.com", groups: ["system:authenticated"], extra: { oid: [OID] } };
// The same person under another name (e.g. a guest UPN), matched by oid only.
const aliceByOid: AuditUser = { username: "alice_contoso.com#EXT#@fabrikam.com", groups: [], extra: { oid: [OID] } };
// A service principal: username is its object id, no UPN.
const aliceAsObjectId: AuditUser = { username: OID, groups: [] };
const bob: AuditUser = { username: "bob@contoso.com", groups: [], extra: { oid: ["0000-bob"] } };

const at = (hhmm: string) => new Date(`2026-12-05T${hhmm}:00Z`);
const input: ActivityQueryInput = {
  table: "AKSAudit",
  userPrincipalName: "alice@contoso.com",
  objectId: OID,
  from: at("09:00"),
  to: at("12:00"),
  accessEnd: at("11:00"),
};

function seeded() {
  const store = new LogStore();
  const workspace = store.addWorkspace(
    { name: "law", subscriptionId: "s", resourceGroup: "rg", location: "westeurope", customerId: "c" },
    new Date(),
  );
  store.setDiagnostic(CLUSTER.resourceId, {
    name: "audit",
    workspaceId: WORKSPACE_ID,
    logs: [
      { category: "kube-audit", categoryGroup: null, enabled: true },
      { category: "kube-audit-admin", categoryGroup: null, enabled: true },
    ],
    logAnalyticsDestinationType: "Dedicated",
  });
  store.appendCalls(CLUSTER, alice, [
    { at: at("09:10"), verb: "list", resource: "pods", namespace: "payments" },
    { at: at("09:11"), verb: "get", resource: "secrets", namespace: "payments", name: "db" },
    // long-running: a ResponseStarted row and a ResponseComplete row, one call
    { at: at("09:20"), verb: "create", resource: "pods", subresource: "exec", namespace: "payments", name: "api-1" },
    { at: at("09:30"), verb: "list", resource: "nodes", code: 403 },
    { at: at("11:30"), verb: "delete", resource: "pods", namespace: "payments", name: "api-1" },
    { at: at("12:00"), verb: "get", resource: "pods", namespace: "payments", name: "later" }, // outside [from, to)
  ]);
  store.appendCalls(CLUSTER, aliceByOid, [
    { at: at("09:40"), verb: "patch", resource: "deployments", apiGroup: "apps", namespace: "payments", name: "api" },
  ]);
  store.appendCalls(CLUSTER, aliceAsObjectId, [
    {
      at: at("09:50"),
      verb: "create",
      resource: "rolebindings",
      apiGroup: "rbac.authorization.k8s.io",
      namespace: "payments",
    },
  ]);
  store.appendCalls(CLUSTER, bob, [
    { at: at("09:15"), verb: "delete", resource: "secrets", namespace: "payments", name: "x" },
  ]);
  return { store, workspace };
}

const run = (text: string, table: "AKSAudit" | "AKSAuditAdmin" = "AKSAudit") => {
  const { workspace } = seeded();
  const result = runQuery(parseQuery(text), workspace.tables.get(table)!.source(), { now: at("13:00") });
  return {
    ...result,
    wire: result.rows.map((row) => result.columns.map((c) => serialiseValue(row[c.name] ?? null, c.type))),
  };
};

describe("the app's counts query (lib/activity/kql.ts countsQuery), exactly as built", () => {
  it("counts the holder's calls by verb, resource, namespace, code and after-end, once per call", () => {
    const result = run(countsQuery(input));
    expect(result.columns).toEqual([
      { name: "Verb", type: "string" },
      { name: "Resource", type: "string" },
      { name: "Subresource", type: "string" },
      { name: "Namespace", type: "string" },
      { name: "Code", type: "int" },
      { name: "AfterEnd", type: "bool" },
      { name: "Calls", type: "long" },
    ]);
    // UPN matched case-insensitively, the guest name by oid, the object id as username; bob's call,
    // the exec's ResponseStarted row and the call at `to` are not counted.
    expect(result.wire).toEqual([
      ["list", "pods", "", "payments", 200, false, 1],
      ["get", "secrets", "", "payments", 200, false, 1],
      ["create", "pods", "exec", "payments", 201, false, 1],
      ["list", "nodes", "", "", 403, false, 1],
      ["delete", "pods", "", "payments", 200, true, 1],
      ["patch", "deployments", "", "payments", 200, false, 1],
      ["create", "rolebindings", "", "payments", 201, false, 1],
    ]);
  });

  it("finds no reads in AKSAuditAdmin, which has no get and list", () => {
    const result = run(countsQuery({ ...input, table: "AKSAuditAdmin" }), "AKSAuditAdmin");
    expect(result.wire.map((row) => row[0])).toEqual(["create", "delete", "patch", "create"]);
  });
});

describe("the app's listed query (listedQuery), exactly as built", () => {
  it("lists sensitive, denied and after-end calls oldest first, with dynamic values as JSON text", () => {
    const result = run(listedQuery(input, 500));
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      "TimeGenerated:datetime",
      "Verb:string",
      "RequestUri:string",
      "Resource:string",
      "Subresource:string",
      "Namespace:string",
      "Name:string",
      "ApiGroup:string",
      "Code:int",
      "SourceIps:dynamic",
      "UserAgent:string",
    ]);
    expect(result.wire.map((row) => [row[0], row[1], row[2], row[8], row[9]])).toEqual([
      ["2026-12-05T09:11:00.000Z", "get", "/api/v1/namespaces/payments/secrets/db", 200, '["10.224.0.4"]'],
      [
        "2026-12-05T09:20:00.000Z",
        "create",
        "/api/v1/namespaces/payments/pods/api-1/exec?command=sh&container=app&stdin=true&stdout=true&tty=true",
        201,
        '["10.224.0.4"]',
      ],
      ["2026-12-05T09:30:00.000Z", "list", "/api/v1/nodes?limit=500", 403, '["10.224.0.4"]'],
      [
        "2026-12-05T09:50:00.000Z",
        "create",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings",
        201,
        '["10.224.0.4"]',
      ],
      ["2026-12-05T11:30:00.000Z", "delete", "/api/v1/namespaces/payments/pods/api-1", 200, '["10.224.0.4"]'],
    ]);
  });

  it("takes at most the limit", () => {
    expect(run(listedQuery(input, 2)).rows.map((r) => (r.TimeGenerated as Date).toISOString())).toEqual([
      "2026-12-05T09:11:00.000Z",
      "2026-12-05T09:20:00.000Z",
    ]);
  });
});

describe("more KQL than the app sends", () => {
  const timesOf = (rows: Row[]) => rows.map((r) => (r.TimeGenerated as Date).toISOString().slice(11, 16));

  it("between, limit, order by (desc by default), count, project renames", () => {
    const base = `AKSAudit | where TimeGenerated between (datetime(2026-12-05T09:15:00Z) .. datetime(2026-12-05T09:40:00Z))`;
    expect(timesOf(run(`${base} | where Stage == "ResponseComplete" | order by TimeGenerated`).rows)).toEqual([
      "09:40",
      "09:30",
      "09:20",
      "09:15",
    ]);
    expect(run(`${base} | count`).wire).toEqual([[5]]); // the exec's ResponseStarted row (09:19:30) counts here
    expect(
      run(
        `${base} | order by TimeGenerated asc | limit 1 | project When = TimeGenerated, Who = tostring(User.username)`,
      ).wire,
    ).toEqual([["2026-12-05T09:15:00.000Z", "bob@contoso.com"]]);
    expect(run(`AKSAudit | summarize count() by Verb | order by Verb asc | take 2`).wire).toEqual([
      ["create", 3],
      ["delete", 2],
    ]);
  });

  it("answers a name that resolves to nothing with a SemanticError", () => {
    expect(() => run("AKSAudit | where Nope == 1")).toThrow(
      expect.objectContaining({
        kind: "SemanticError",
        message: "'where' operator: Failed to resolve scalar expression named 'Nope'",
      }),
    );
  });

  it.each([
    ["AKSAudit | where", 1, 16, "<EOF>"],
    ["AKSAudit\n| summarize Calls = count() by", 2, 30, "<EOF>"],
    ["AKSAudit | where Verb == 'get' | render timechart", 1, 33, "render"],
    ["AKSAudit | where Verb === 'get'", 1, 24, "="],
  ])("refuses %j with a SyntaxError at line %i, position %i", (text, line, pos, token) => {
    let error: unknown;
    try {
      parseQuery(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KqlError);
    expect((error as KqlError).kind).toBe("SyntaxError");
    expect((error as KqlError).detail).toEqual({ code: "SYN0002", line, pos, token });
  });
});

describe("the store's index", () => {
  it("answers one user's slice of a 100-user store (1M rows) reading only that user's rows", () => {
    const { store, workspace } = seeded();
    for (let u = 0; u < 100; u += 1) {
      store.generate(
        CLUSTER,
        { username: `u${u}@contoso.com`, groups: [], extra: { oid: [`oid-${u}`] } },
        {
          fromMs: at("00:00").getTime(),
          toMs: at("23:59").getTime(),
          count: 10_000,
          seed: u,
          sourceIp: "10.0.0.1",
        },
      );
    }
    expect(workspace.tables.get("AKSAudit")!.rowCount).toBeGreaterThan(1_000_000);
    const result = runQuery(
      parseQuery(
        countsQuery({
          ...input,
          userPrincipalName: "u7@contoso.com",
          objectId: "oid-7",
          from: at("10:00"),
          to: at("11:00"),
        }),
      ),
      workspace.tables.get("AKSAudit")!.source(),
      { now: at("13:00") },
    );
    // about 1/24 of u7's 10,000 calls (plus the long-running calls' ResponseStarted rows), nobody else's
    expect(result.scanned).toBeGreaterThan(350);
    expect(result.scanned).toBeLessThan(600);
    const calls = result.rows.reduce((sum, r) => sum + (r.Calls as number), 0);
    expect(calls).toBeGreaterThan(350);
    // deterministic: the same seed, the same rows
    const again = runQuery(
      parseQuery(
        countsQuery({
          ...input,
          userPrincipalName: "u7@contoso.com",
          objectId: "oid-7",
          from: at("10:00"),
          to: at("11:00"),
        }),
      ),
      workspace.tables.get("AKSAudit")!.source(),
      { now: at("13:00") },
    );
    expect(again.rows).toEqual(result.rows);
  }, 60_000);
});
