import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CERT_DIR } from "../scripts/lib/paths";
import { DEMO_TENANT_FILE } from "../scripts/lib/demo-env";
import { ensureCertificates } from "./certs";
import { issuerFor } from "./context";
import { AZURE_CLI_APP_ID, LINUX_VM_SIGN_IN_APP_ID, parseSignInFilter, type SignInRecord } from "./graph-sign-ins";
import { startEmulator, type RunningEmulator } from "./server";
import { Tenant } from "./tenant";

const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
const n01 = tenant.user("n01@contoso.com")!;
const n02 = tenant.user("n02@contoso.com")!;
let emulator: RunningEmulator;
let ca: string;

beforeAll(async () => {
  const tls = await ensureCertificates(CERT_DIR);
  ca = tls.ca;
  emulator = await startEmulator({ tenant: Tenant.fromFile(DEMO_TENANT_FILE), tls, port: 0 });
});
afterAll(async () => emulator?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
type Json = any;

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: Json }>((resolve, reject) => {
    const req = https.request(
      new URL(path, emulator.url),
      { method, ca, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

const graphToken = async () => ({
  authorization: `Bearer ${await emulator.context.key.sign({
    iss: issuerFor(emulator.context),
    aud: "https://graph.microsoft.com",
    oid: app.servicePrincipalId,
    sub: app.servicePrincipalId,
    tid: tenant.id,
    idtyp: "app",
    appid: app.appId,
    roles: [...app.applicationPermissions],
  })}`,
});

describe("$filter on signIns", () => {
  const record = {
    id: "1",
    userId: "U1",
    appId: AZURE_CLI_APP_ID,
    resourceId: LINUX_VM_SIGN_IN_APP_ID,
    createdDateTime: "2026-12-05T10:00:00Z",
    userPrincipalName: "n01@contoso.com",
    status: { errorCode: 0 },
  } as SignInRecord;

  it.each([
    ["userId eq 'u1'", true],
    ["userId eq 'u2'", false],
    [`appId eq '${AZURE_CLI_APP_ID}' and resourceId eq '${LINUX_VM_SIGN_IN_APP_ID}'`, true],
    ["createdDateTime ge 2026-12-05T09:00:00Z and createdDateTime le 2026-12-05T10:00:00Z", true],
    ["createdDateTime gt 2026-12-05T10:00:00Z", false],
    ["(status/errorCode ne 0)", false],
    ["startsWith(userPrincipalName, 'N01@')", true],
  ])("%s → %s", (filter, matches) => {
    expect(parseSignInFilter(filter)(record)).toBe(matches);
  });

  it.each(["userDisplayName eq 'x'", "userId ge 'x'", "userId eq 'a' or userId eq 'b'", "nonsense"])(
    "refuses %s",
    (filter) => {
      expect(() => parseSignInFilter(filter)).toThrow();
    },
  );
});

describe("GET /v1.0/auditLogs/signIns", () => {
  it("lists node sign-ins, most recent first, filtered and paged", async () => {
    for (const [user, at, errorCode] of [
      [n01.userPrincipalName, "2026-12-05T10:00:00Z", 0],
      [n01.userPrincipalName, "2026-12-05T10:05:00Z", 50105],
      [n01.userPrincipalName, "2026-12-05T13:00:00Z", 0],
      [n02.userPrincipalName, "2026-12-05T10:01:00Z", 0],
    ] as const) {
      expect((await call("POST", "/_emulator/sign-ins", { user, at, errorCode, node: "aks-user-0" })).status).toBe(201);
    }
    const filter = `userId eq '${n01.id}' and resourceId eq '${LINUX_VM_SIGN_IN_APP_ID}' and createdDateTime ge 2026-12-05T09:00:00Z and createdDateTime le 2026-12-05T12:00:00Z`;
    const first = await call(
      "GET",
      `/v1.0/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=1`,
      undefined,
      await graphToken(),
    );
    expect(first.status).toBe(200);
    expect(first.json.value).toEqual([
      expect.objectContaining({
        userId: n01.id,
        userPrincipalName: "n01@contoso.com",
        appId: AZURE_CLI_APP_ID,
        appDisplayName: "Microsoft Azure CLI",
        resourceId: LINUX_VM_SIGN_IN_APP_ID,
        resourceDisplayName: "Azure Linux VM Sign-In",
        createdDateTime: "2026-12-05T10:05:00Z",
        status: expect.objectContaining({ errorCode: 50105, failureReason: expect.stringContaining("assigned") }),
      }),
    ]);
    const next = new URL(first.json["@odata.nextLink"]);
    const second = await call("GET", `${next.pathname}${next.search}`, undefined, await graphToken());
    expect(second.json.value.map((s: SignInRecord) => [s.createdDateTime, s.status.errorCode])).toEqual([
      ["2026-12-05T10:00:00Z", 0],
    ]);
    expect(second.json["@odata.nextLink"]).toBeUndefined();
    const bad = await call(
      "GET",
      `/v1.0/auditLogs/signIns?$filter=${encodeURIComponent("userDisplayName eq 'x'")}`,
      undefined,
      await graphToken(),
    );
    expect(bad.status).toBe(400);
  });

  it("needs AuditLog.Read.All", async () => {
    const without = app.applicationPermissions.filter((p) => p !== "AuditLog.Read.All");
    expect(
      (await call("PATCH", `/_emulator/applications/${app.appId}`, { applicationPermissions: without })).status,
    ).toBe(200);
    try {
      const refused = await call("GET", "/v1.0/auditLogs/signIns", undefined, await graphToken());
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe("Authorization_RequestDenied");
    } finally {
      await call("PATCH", `/_emulator/applications/${app.appId}`, {
        applicationPermissions: [...app.applicationPermissions],
      });
    }
    expect((await call("GET", "/v1.0/auditLogs/signIns", undefined, await graphToken())).status).toBe(200);
  });
});
