import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { LogsQueryClient, LogsQueryResultStatus } from "@azure/monitor-query-logs";
import { RestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsQuery, listedQuery } from "@/lib/activity/kql";
import { ensureCertificates } from "../../emulator/certs";
import { DEMO_WORKSPACE } from "../../emulator/log-analytics/routes";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { CERT_DIR } from "../../scripts/lib/paths";
import { emulatorConfidentialClient } from "../support/emulator-clients";

/**
 * The emulator's Log Analytics query API through the SDK the app uses (LogsQueryClient of
 * @azure/monitor-query-logs, configured as the contract says: endpoint `${base}/v1`, the app's
 * client-credentials token for https://api.loganalytics.io/.default): success, a partial error
 * (PartialFailure with the rows so far), a refusal (RestError 403). Its own emulator.
 */
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    tenant: Tenant.fromFile(DEMO_TENANT_FILE),
    tls: await ensureCertificates(CERT_DIR),
    port: 0,
  });
});
afterAll(async () => emulator?.close());

/** The app's identity, as MSAL gets its token from the emulator. */
const credential: TokenCredential = {
  async getToken(scopes): Promise<AccessToken> {
    const result = await emulatorConfidentialClient(emulator, tenant, app).acquireTokenByClientCredential({
      scopes: Array.isArray(scopes) ? scopes : [scopes],
    });
    return { token: result!.accessToken, expiresOnTimestamp: result!.expiresOn!.getTime() };
  },
};

const client = () =>
  new LogsQueryClient(credential, {
    endpoint: `${emulator.url}/v1`,
    credentials: { scopes: ["https://api.loganalytics.io/.default"] },
    retryOptions: { maxRetries: 0 },
  });

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${emulator.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const at = (hhmm: string) => `2026-12-05T${hhmm}:00Z`;
const input = {
  table: "AKSAudit" as const,
  userPrincipalName: "n01@contoso.com",
  objectId: tenant.user("n01@contoso.com")!.id,
  from: new Date(at("09:00")),
  to: new Date(at("12:00")),
  accessEnd: new Date(at("11:00")),
};

describe("LogsQueryClient against the emulator", () => {
  it("parses answers, partial errors and refusals as it does Azure's", async () => {
    expect(
      (
        await control("POST", "/_emulator/activity", {
          cluster: "aks-prod-weu",
          user: "n01@contoso.com",
          calls: [
            { at: at("09:05"), verb: "get", resource: "secrets", namespace: "payments", name: "db" },
            {
              at: at("09:10"),
              verb: "create",
              resource: "pods",
              subresource: "exec",
              namespace: "payments",
              name: "api",
            },
            { at: at("11:30"), verb: "delete", resource: "pods", namespace: "payments", name: "api" },
          ],
        })
      ).status,
    ).toBe(201);
    const timespan = { startTime: input.from, endTime: input.to };

    const counts = await client().queryWorkspace(DEMO_WORKSPACE.customerId, countsQuery(input), timespan, {
      includeQueryStatistics: true,
    });
    expect(counts.status).toBe(LogsQueryResultStatus.Success);
    if (counts.status !== LogsQueryResultStatus.Success) return;
    expect(counts.tables[0]!.columnDescriptors.map((c) => c.name)).toEqual([
      "Verb",
      "Resource",
      "Subresource",
      "Namespace",
      "Code",
      "AfterEnd",
      "Calls",
    ]);
    expect(counts.tables[0]!.rows).toEqual([
      ["get", "secrets", "", "payments", 200, false, 1],
      ["create", "pods", "exec", "payments", 201, false, 1],
      ["delete", "pods", "", "payments", 200, true, 1],
    ]);
    expect(counts.statistics).toMatchObject({ query: { datasetStatistics: [{ tableRowCount: 3 }] } });

    const listed = await client().queryWorkspace(DEMO_WORKSPACE.customerId, listedQuery(input, 500), timespan);
    if (listed.status !== LogsQueryResultStatus.Success) throw new Error("listed query failed");
    // datetime columns become Dates, dynamic ones parsed JSON (the SDK's own conversions)
    expect(listed.tables[0]!.rows[0]![0]).toEqual(new Date(at("09:05")));
    expect(listed.tables[0]!.rows[0]![9]).toEqual(["10.224.0.4"]);

    await control("PUT", "/_emulator/settings", { logAnalyticsMaxRows: 1 });
    const partial = await client().queryWorkspace(DEMO_WORKSPACE.customerId, listedQuery(input, 500), timespan);
    await control("PUT", "/_emulator/settings", { logAnalyticsMaxRows: 500_000 });
    expect(partial.status).toBe(LogsQueryResultStatus.PartialFailure);
    if (partial.status !== LogsQueryResultStatus.PartialFailure) return;
    expect(partial.partialTables[0]!.rows).toHaveLength(1);
    expect(partial.partialError).toMatchObject({ code: "PartialError" });

    const batch = await client().queryBatch([
      { workspaceId: DEMO_WORKSPACE.customerId, query: "AKSAuditAdmin | count", timespan },
    ]);
    expect(batch[0]).toMatchObject({ status: LogsQueryResultStatus.Success, tables: [{ rows: [[3]] }] }); // the exec's two rows and the delete

    // Log Analytics Reader taken away: 403 InsufficientAccessError, as a RestError
    const state = (await (await control("GET", "/_emulator/state")).json()) as {
      seededRoleAssignments: Array<{ name: string; roleDefinitionId: string }>;
    };
    const reader = state.seededRoleAssignments.find(
      (a) => a.roleDefinitionId === "73c42c96-874c-492b-b04d-ab87d138a893",
    )!;
    expect((await control("DELETE", `/_emulator/azure/roleAssignments/${reader.name}`)).status).toBe(204);
    const refused = await client()
      .queryWorkspace(DEMO_WORKSPACE.customerId, countsQuery(input), timespan)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RestError);
    expect((refused as RestError).statusCode).toBe(403);
    expect((refused as RestError).code).toBe("InsufficientAccessError");
  });
});
