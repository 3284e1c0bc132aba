import https from "node:https";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countsQuery, listedQuery } from "@/lib/activity/kql";
import { CERT_DIR } from "../../scripts/lib/paths";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { ensureCertificates } from "../certs";
import { issuerFor } from "../context";
import { startEmulator, type RunningEmulator } from "../server";
import type { EmulatorState } from "../state";
import { Tenant } from "../tenant";
import { DEMO_WORKSPACE } from "./routes";

/*
 * The Log Analytics query API, the ARM side (diagnostic settings, workspace) and the control
 * endpoints, over HTTPS against an emulator of this file's own, with tokens the emulator signs.
 */
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const PROD = `/subscriptions/${SUB}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`;
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-aks-jit`;
const QUERY = `/v1/workspaces/${DEMO_WORKSPACE.customerId}/query`;
const n01 = tenant.user("n01@contoso.com")!;

let emulator: RunningEmulator;
let ca: string;

beforeAll(async () => {
  const tls = await ensureCertificates(CERT_DIR);
  ca = tls.ca;
  emulator = await startEmulator({ tenant: Tenant.fromFile(DEMO_TENANT_FILE), tls, port: 0 });
});
afterAll(async () => emulator?.close());
beforeEach(async () => {
  await call("DELETE", "/_emulator/activity");
  await call("DELETE", "/_emulator/throttling");
  await call("PUT", "/_emulator/settings", { logAnalyticsMaxRows: 500_000 });
  await call("PUT", "/_emulator/workspaces/law-aks-jit", { tables: ["AKSAudit", "AKSAuditAdmin"] });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
type Json = any;

function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Json }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, emulator.url);
    const req = https.request(
      url,
      { method, ca, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }),
        );
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** A token as the emulator's token endpoint issues it (client credentials or a user's), for `aud`. */
const token = (oid: string, aud = "https://api.loganalytics.io", idtyp = "app") =>
  emulator.context.key.sign({
    iss: issuerFor(emulator.context),
    aud,
    oid,
    sub: oid,
    tid: tenant.id,
    idtyp,
    appid: app.appId,
  });
const bearer = async (oid = app.servicePrincipalId, aud?: string) => ({
  authorization: `Bearer ${await token(oid, aud)}`,
});

const at = (hhmm: string) => `2026-12-05T${hhmm}:00Z`;
const input = {
  table: "AKSAuditAdmin" as const,
  userPrincipalName: "N01@contoso.com",
  objectId: n01.id,
  from: new Date(at("09:00")),
  to: new Date(at("12:00")),
  accessEnd: new Date(at("11:00")),
};

async function seedCalls() {
  const posted = await call("POST", "/_emulator/activity", {
    cluster: "aks-prod-weu",
    user: "n01@contoso.com",
    calls: [
      { at: at("09:05"), verb: "get", resource: "secrets", namespace: "payments", name: "db" },
      { at: at("09:10"), verb: "create", resource: "pods", subresource: "exec", namespace: "payments", name: "api-1" },
      { at: at("11:30"), verb: "delete", resource: "pods", namespace: "payments", name: "api-1" },
    ],
  });
  expect(posted.status).toBe(201);
  // AKSAudit: 1 + 2 (ResponseStarted and ResponseComplete) + 1; AKSAuditAdmin: without the get
  expect(posted.json).toEqual({ rows: 7, tables: { "law-aks-jit/AKSAudit": 4, "law-aks-jit/AKSAuditAdmin": 3 } });
}

describe("POST /v1/workspaces/{customerId}/query", () => {
  it("answers the app's queries with Log Analytics' tables, and statistics when asked", async () => {
    await seedCalls();
    const counts = await call("POST", QUERY, { query: countsQuery(input) }, await bearer());
    expect(counts.status).toBe(200);
    expect(counts.json).toEqual({
      tables: [
        {
          name: "PrimaryResult",
          columns: [
            { name: "Verb", type: "string" },
            { name: "Resource", type: "string" },
            { name: "Subresource", type: "string" },
            { name: "Namespace", type: "string" },
            { name: "Code", type: "int" },
            { name: "AfterEnd", type: "bool" },
            { name: "Calls", type: "long" },
          ],
          rows: [
            ["create", "pods", "exec", "payments", 201, false, 1],
            ["delete", "pods", "", "payments", 200, true, 1],
          ],
        },
      ],
    });
    const listed = await call(
      "POST",
      QUERY,
      { query: listedQuery(input, 500), timespan: `${at("09:00")}/${at("12:00")}` },
      { ...(await bearer()), prefer: "wait=600,include-statistics=true" },
    );
    expect(listed.json.tables[0].rows.map((r: unknown[]) => [r[0], r[1], r[9]])).toEqual([
      ["2026-12-05T09:10:00.000Z", "create", '["10.224.0.4"]'],
      ["2026-12-05T11:30:00.000Z", "delete", '["10.224.0.4"]'],
    ]);
    const size = listed.json.tables[0].rows.reduce(
      (sum: number, r: unknown[]) => sum + JSON.stringify(r).length + 1,
      0,
    );
    expect(listed.json.statistics.query.datasetStatistics).toEqual([{ tableRowCount: 2, tableSize: size }]);
  });

  it("returns the rows so far and a partial error past the row limit", async () => {
    await seedCalls();
    await call("PUT", "/_emulator/settings", { logAnalyticsMaxRows: 2 });
    const answer = await call("POST", QUERY, { query: "AKSAudit | order by TimeGenerated asc" }, await bearer());
    expect(answer.status).toBe(200);
    expect(answer.json.tables[0].rows).toHaveLength(2);
    expect(answer.json.error).toMatchObject({
      code: "PartialError",
      details: [{ code: "EngineError", innererror: { message: expect.stringContaining("record count limit 2") } }],
    });
  });

  it("returns the rows so far and a partial error past the size limit", async () => {
    await seedCalls();
    await call("PUT", "/_emulator/settings", { logAnalyticsMaxBytes: 1000 });
    try {
      const answer = await call("POST", QUERY, { query: "AKSAudit | order by TimeGenerated asc" }, await bearer());
      expect(answer.status).toBe(200);
      // AKSAudit rows are about 900 bytes of JSON each: one fits
      expect(answer.json.tables[0].rows).toHaveLength(1);
      expect(answer.json.error.details[0].innererror.message).toContain("data size limit 1000");
    } finally {
      await call("PUT", "/_emulator/settings", { logAnalyticsMaxBytes: 64 * 1024 * 1024 });
    }
  });

  it("answers a table the workspace lacks with BadArgumentError / SemanticError naming it", async () => {
    await call("PUT", "/_emulator/workspaces/law-aks-jit", { tables: ["AKSAudit"] });
    const answer = await call("POST", QUERY, { query: countsQuery(input) }, await bearer());
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      code: "BadArgumentError",
      message: "The request had some invalid properties",
      innererror: {
        code: "SemanticError",
        innererror: {
          code: "SEM0100",
          message: "'' operator: Failed to resolve table expression named 'AKSAuditAdmin'",
        },
      },
    });
  });

  it("answers a query that does not parse with a SyntaxError and its position", async () => {
    const answer = await call("POST", QUERY, { query: "AKSAudit | where Verb ==" }, await bearer());
    expect(answer.status).toBe(400);
    expect(answer.json.error.innererror).toMatchObject({
      code: "SyntaxError",
      innererror: { code: "SYN0002", line: 1, pos: 24, token: "<EOF>" },
    });
  });

  it("refuses a caller without a role on the workspace (403), a token for another resource (401), an unknown workspace (404)", async () => {
    const forbidden = await call("POST", QUERY, { query: "AKSAudit | count" }, await bearer(n01.id));
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toMatchObject({
      code: "InsufficientAccessError",
      message: "The provided credentials have insufficient access to perform the requested operation",
    });
    // Log Analytics Reader on the workspace is what the app holds; given to n01, n01 may query too.
    const granted = await call("POST", "/_emulator/azure/roleAssignments", {
      principalId: n01.id,
      roleDefinitionId: "73c42c96-874c-492b-b04d-ab87d138a893",
      scope: WORKSPACE,
    });
    expect(
      (await call("POST", QUERY, { query: "AKSAudit | count" }, await bearer(n01.id))).json.tables[0].rows,
    ).toEqual([[0]]);
    await call("DELETE", `/_emulator/azure/roleAssignments/${granted.json.name}`);

    const wrongAudience = await call(
      "POST",
      QUERY,
      { query: "AKSAudit | count" },
      await bearer(app.servicePrincipalId, "https://management.azure.com"),
    );
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.json.error.code).toBe("InvalidTokenError");
    expect((await call("POST", QUERY, { query: "AKSAudit | count" })).json.error.code).toBe(
      "AuthorizationRequiredError",
    );
    const unknown = await call(
      "POST",
      "/v1/workspaces/00000000-0000-0000-0000-000000000000/query",
      { query: "AKSAudit" },
      await bearer(),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("WorkspaceNotFoundError");
  });

  it("throttles a principal past 200 queries per 30 s, with Retry-After", async () => {
    await call("PUT", "/_emulator/throttling", {
      enabled: true,
      budgets: { logAnalyticsQueries: { capacity: 3, refillPerSecond: 0.1 } },
    });
    const headers = await bearer();
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await call("POST", QUERY, { query: "AKSAudit | count" }, headers)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await call("POST", QUERY, { query: "AKSAudit | count" }, headers);
    expect(throttled.headers["retry-after"]).toBe("10");
    expect(throttled.json.error.code).toBe("ThrottledError");
  });

  it("answers a $batch query by query, each with its own status", async () => {
    await seedCalls();
    const answer = await call(
      "POST",
      "/v1/$batch",
      {
        requests: [
          {
            id: "0",
            workspace: DEMO_WORKSPACE.customerId,
            path: "/query",
            method: "POST",
            body: { query: "AKSAuditAdmin | count" },
          },
          {
            id: "1",
            workspace: DEMO_WORKSPACE.customerId,
            path: "/query",
            method: "POST",
            body: { query: "Nope | count" },
          },
        ],
      },
      await bearer(),
    );
    expect(answer.status).toBe(200);
    expect(answer.json.responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      ["0", 200],
      ["1", 400],
    ]);
    expect(answer.json.responses[0].body.tables[0].rows).toEqual([[3]]);
  });
});

describe("where rows land", () => {
  it("lands nothing for a cluster without a Dedicated setting; AzureDiagnostics only counts", async () => {
    const diag = await call("PUT", "/_emulator/clusters/aks-dev-weu/diagnostics", {
      categories: ["kube-audit-admin"],
      destination: "AzureDiagnostics",
    });
    expect(diag.status).toBe(200);
    const posted = await call("POST", "/_emulator/activity", {
      cluster: "aks-dev-weu",
      user: "n01@contoso.com",
      calls: [{ at: at("09:00"), verb: "delete", resource: "pods", namespace: "x", name: "y" }],
    });
    expect(posted.json).toEqual({ rows: 0, tables: {} });
    const state = (await call("GET", "/_emulator/state")).json as EmulatorState;
    expect(state.logAnalytics.azureDiagnosticsRows).toBe(1);
    expect(state.logAnalytics.diagnosticSettings.filter((s) => s.clusterId.endsWith("aks-dev-weu"))).toEqual([
      expect.objectContaining({ categories: ["kube-audit-admin"], destination: "AzureDiagnostics" }),
    ]);
    await call("PUT", "/_emulator/clusters/aks-dev-weu/diagnostics", {
      categories: ["kube-audit", "kube-audit-admin"],
    });
  });

  it("generates calls compactly and says how many rows each table got", async () => {
    const generated = await call("POST", "/_emulator/activity/generate", {
      cluster: "aks-prod-weu",
      user: "n01@contoso.com",
      from: at("00:00"),
      to: at("10:00"),
      count: 1000,
      seed: 42,
    });
    expect(generated.status).toBe(201);
    const audit = generated.json.tables["law-aks-jit/AKSAudit"];
    expect(audit).toBeGreaterThanOrEqual(1000);
    expect(generated.json.tables["law-aks-jit/AKSAuditAdmin"]).toBeLessThan(audit);
    const count = await call("POST", QUERY, { query: "AKSAudit | count" }, await bearer());
    expect(count.json.tables[0].rows).toEqual([[audit]]);
    const state = (await call("GET", "/_emulator/state")).json as EmulatorState;
    expect(state.logAnalytics.workspaces).toEqual([
      expect.objectContaining({ name: "law-aks-jit", tables: expect.objectContaining({ AKSAudit: audit }) }),
    ]);
  });
});

describe("ARM: diagnostic settings and the workspace", () => {
  const armToken = async (oid = app.servicePrincipalId) => ({
    authorization: `Bearer ${await token(oid, "https://management.azure.com")}`,
  });

  it("lists the seeded setting and gives the workspace's customerId to the app", async () => {
    const list = await call(
      "GET",
      `${PROD}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
      undefined,
      await armToken(),
    );
    expect(list.status).toBe(200);
    expect(list.json.value).toEqual([
      expect.objectContaining({
        name: "audit-to-law-aks-jit",
        type: "Microsoft.Insights/diagnosticSettings",
        properties: expect.objectContaining({
          workspaceId: WORKSPACE,
          logAnalyticsDestinationType: "Dedicated",
          logs: [
            expect.objectContaining({ category: "kube-audit-admin", enabled: true }),
            expect.objectContaining({ category: "kube-audit", enabled: true }),
          ],
        }),
      }),
    ]);
    const workspace = await call("GET", `${WORKSPACE}?api-version=2023-09-01`, undefined, await armToken());
    expect(workspace.status).toBe(200);
    expect(workspace.json).toMatchObject({
      id: WORKSPACE,
      name: "law-aks-jit",
      properties: { customerId: DEMO_WORKSPACE.customerId },
    });
  });

  it("refuses a caller without diagnosticSettings/read, and PUT/DELETE change what lands", async () => {
    const refused = await call(
      "GET",
      `${PROD}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`,
      undefined,
      await armToken(n01.id),
    );
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("AuthorizationFailed");
    expect(refused.json.error.message).toContain("Microsoft.Insights/diagnosticSettings/read");
    // The app reads diagnostic settings (its provisioner role), it does not write them: n01 gets Owner to.
    const owner = await call("POST", "/_emulator/azure/roleAssignments", {
      principalId: n01.id,
      roleDefinitionId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      scope: PROD,
    });
    const url = `${PROD}/providers/Microsoft.Insights/diagnosticSettings/audit-to-law-aks-jit?api-version=2021-05-01-preview`;
    const put = await call(
      "PUT",
      url,
      {
        properties: {
          workspaceId: WORKSPACE,
          logs: [{ category: "kube-audit-admin", enabled: true }],
          logAnalyticsDestinationType: "Dedicated",
        },
      },
      await armToken(n01.id),
    );
    expect(put.status).toBe(200);
    await seedCalls().catch(() => undefined);
    const posted = await call("POST", "/_emulator/activity", {
      cluster: "aks-prod-weu",
      user: "n01@contoso.com",
      calls: [{ at: at("09:00"), verb: "get", resource: "pods", namespace: "x", name: "y" }],
    });
    expect(posted.json).toEqual({ rows: 0, tables: { "law-aks-jit/AKSAuditAdmin": 0 } });
    expect((await call("DELETE", url, undefined, await armToken(n01.id))).status).toBe(200);
    expect((await call("GET", url, undefined, await armToken())).status).toBe(404);
    await call("DELETE", `/_emulator/azure/roleAssignments/${owner.json.name}`);
    await call("PUT", "/_emulator/clusters/aks-prod-weu/diagnostics", {
      categories: ["kube-audit-admin", "kube-audit"],
    });
  });
});

describe("the token endpoint", () => {
  it("issues client-credentials tokens for https://api.loganalytics.io/.default", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.appId,
      client_secret: app.clientSecret ?? "",
      scope: "https://api.loganalytics.io/.default",
    });
    const answer = await new Promise<{ status: number; json: Json }>((resolve, reject) => {
      const req = https.request(
        new URL(`/${tenant.id}/oauth2/v2.0/token`, emulator.url),
        { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.end(form.toString());
    });
    expect(answer.status).toBe(200);
    const query = await call(
      "POST",
      QUERY,
      { query: "AKSAudit | count" },
      { authorization: `Bearer ${answer.json.access_token}` },
    );
    expect(query.status).toBe(200);
  });
});
