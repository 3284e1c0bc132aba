import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import * as auditExportRoute from "@/app/api/v1/audit/export/route";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as auditVerifyRoute from "@/app/api/v1/audit/verify/route";
import * as catalogRoute from "@/app/api/v1/catalog/route";
import * as evidenceRoute from "@/app/api/v1/requests/[id]/evidence/route";
import * as grantsRoute from "@/app/api/v1/grants/route";
import * as openApiRoute from "@/app/api/v1/openapi.json/route";
import * as healthRoute from "@/app/api/health/route";
import * as livenessRoute from "@/app/api/health/live/route";
import * as readinessRoute from "@/app/api/health/ready/route";
import * as approveRoute from "@/app/api/v1/requests/[id]/approve/route";
import * as cancelRoute from "@/app/api/v1/requests/[id]/cancel/route";
import * as deactivateRoute from "@/app/api/v1/requests/[id]/deactivate/route";
import * as denyRoute from "@/app/api/v1/requests/[id]/deny/route";
import * as extendRoute from "@/app/api/v1/requests/[id]/extend/route";
import * as retryRoute from "@/app/api/v1/requests/[id]/retry/route";
import * as revokeRoute from "@/app/api/v1/requests/[id]/revoke/route";
import * as requestRoute from "@/app/api/v1/requests/[id]/route";
import * as requestsRoute from "@/app/api/v1/requests/route";
import { activateRequest } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { apiRoute } from "@/lib/api/handler";
import { checkEvidencePack } from "@/lib/audit/evidence-check";
import { endSession } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { demoUser } from "../support/emulator-browser";
import { signInThroughEmulator } from "../support/sign-in";
import { checkAgainstDocument, operationsNotExercised } from "../support/openapi-contract";
import {
  API_SCOPE,
  appOnlyToken,
  bearer,
  callApi,
  session,
  userAccessToken,
  type Call,
  type Credentials,
} from "../support/api";

/**
 * The JSON API (/api/v1) through its route handlers, called as Next calls them, with real
 * credentials: session cookies from a real sign-in and access tokens from the emulator.
 */

const prodAdmin = {
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Rotate the ingress certificate",
  ticket: "INC12345",
};
const devAdmin = { cluster: "aks-dev-weu", role: "admin", duration: "PT2H", justification: "Debug a rollout" };

const createRequest = (credentials: Credentials, body: unknown, options: Call = {}) =>
  callApi(requestsRoute.POST, "/api/v1/requests", credentials, { ...options, body });

const decide = (
  verb: "approve" | "deny" | "cancel",
  id: string,
  credentials: Credentials,
  body: unknown = {},
  options: Call = {},
) => {
  const route = { approve: approveRoute, deny: denyRoute, cancel: cancelRoute }[verb];
  return callApi(route.POST, `/api/v1/requests/${id}/${verb}`, credentials, { ...options, body, params: { id } });
};

const getRequest = (id: string, credentials: Credentials) =>
  callApi(requestRoute.GET, `/api/v1/requests/${id}`, credentials, { params: { id } });

const listRequests = (credentials: Credentials, query = "") =>
  callApi(requestsRoute.GET, `/api/v1/requests${query}`, credentials);

const ACTION_ROUTES = { extend: extendRoute, deactivate: deactivateRoute, revoke: revokeRoute, retry: retryRoute };

/** The actions on granted access: the holder's (extend, deactivate) and the admins' (revoke, retry). */
const act = (
  verb: keyof typeof ACTION_ROUTES,
  id: string,
  credentials: Credentials,
  body?: unknown,
  options: Call = {},
) =>
  callApi(ACTION_ROUTES[verb].POST, `/api/v1/requests/${id}/${verb}`, credentials, {
    method: "POST",
    ...options,
    body,
    params: { id },
  });

const listGrants = (credentials: Credentials, query = "") =>
  callApi(grantsRoute.GET, `/api/v1/grants${query}`, credentials);

/** The error shape every refusal shares; returns the error for further checks. */
function expectError(result: Awaited<ReturnType<typeof callApi>>, status: number, code: string, message?: RegExp) {
  expect({ status: result.status, code: result.json?.error?.code }).toEqual({ status, code });
  expect(typeof result.json.error.message).toBe("string");
  if (message) expect(result.json.error.message).toMatch(message);
  expect(result.headers.get("cache-control")).toBe("no-store");
  expect(result.headers.get("x-correlation-id")).toBeTruthy();
  return result.json.error as { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}

const requestCount = () => db.accessRequest.count();

const searchAudit = (credentials: Credentials, query: string) =>
  callApi(auditRoute.GET, `/api/v1/audit${query}`, credentials);

/** The export as it arrives: a file, not JSON (callApi would parse it). */
async function exportAudit(credentials: { bearer: string }, query: string) {
  const request = new Request(new URL(`/api/v1/audit/export${query}`, env.APP_URL), {
    headers: { authorization: `Bearer ${credentials.bearer}` },
  });
  const response = await auditExportRoute.GET(request, { params: Promise.resolve({}) });
  const text = await response.text();
  const contentType = response.headers.get("content-type");
  const body = contentType?.startsWith("application/json") ? JSON.parse(text) : text;
  checkAgainstDocument({ method: "GET", path: "/api/v1/audit/export", status: response.status, contentType, body });
  return { status: response.status, headers: response.headers, text };
}

describe("JSON API: authentication", () => {
  it("answers 401 without credentials, in the error shape, uncached, with a correlation id", async () => {
    const result = await callApi(catalogRoute.GET, "/api/v1/catalog", null);
    expectError(result, 401, "UNAUTHENTICATED", /Authorization: Bearer/);
    expect(result.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(result.json.error.fields).toBeUndefined();
  });

  it("accepts a delegated access token for the API and maps it to the person, with groups from the token", async () => {
    const n01 = await callApi(catalogRoute.GET, "/api/v1/catalog", await bearer("n01@contoso.com"));
    expect(n01.status).toBe(200);
    expect(n01.headers.get("cache-control")).toBe("no-store");
    const clusters = n01.json.clusters as Array<{ name: string; roles: Array<{ name: string; policy: unknown }> }>;
    expect(clusters.map((c) => c.name)).toEqual(expect.arrayContaining(["aks-prod-weu", "aks-dev-weu"]));
    const prod = clusters.find((c) => c.name === "aks-prod-weu")!;
    expect(prod.roles.find((r) => r.name === "admin")!.policy).toMatchObject({
      approvalsRequired: 1,
      maxDurationMinutes: 480,
      ticket: { isRequired: true, pattern: "^(INC|CHG)[0-9]{4,}$" },
    });
    // aud01 is not in the `default` group, so nothing is requestable: the groups came from aud01's token.
    const aud01 = await callApi(catalogRoute.GET, "/api/v1/catalog", await bearer("aud01@contoso.com"));
    expect(aud01).toMatchObject({ status: 200, json: { clusters: [] } });
  });

  it("refuses a token for another audience (Graph) with 401", async () => {
    const graphToken = await userAccessToken("n01@contoso.com", ["User.Read"]);
    const result = await callApi(catalogRoute.GET, "/api/v1/catalog", { bearer: graphToken });
    expectError(result, 401, "UNAUTHENTICATED", /"aud" claim/);
  });

  it("refuses a token whose signature does not match, and a non-bearer Authorization header, with 401", async () => {
    const token = await userAccessToken("n01@contoso.com");
    const [header, payload] = token.split(".");
    const forged = JSON.parse(Buffer.from(payload!, "base64url").toString());
    forged.groups = [...forged.groups, "09ecf0d7-9504-4f6c-b557-71f30e9759bf"]; // the approver group
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${token.split(".")[2]}`;
    expectError(await callApi(catalogRoute.GET, "/api/v1/catalog", { bearer: tampered }), 401, "UNAUTHENTICATED");
    const basic = await callApi(catalogRoute.GET, "/api/v1/catalog", null, {
      headers: { authorization: "Basic bjAxOnNlY3JldA==" },
    });
    expectError(basic, 401, "UNAUTHENTICATED", /must be "Bearer <token>"/);
  });

  it("refuses an app-only (client credentials) token for the API with 403: requests are made by people", async () => {
    const before = await requestCount();
    const token = await appOnlyToken();
    expectError(await callApi(catalogRoute.GET, "/api/v1/catalog", { bearer: token }), 403, "FORBIDDEN", /App-only/);
    expectError(await createRequest({ bearer: token }, devAdmin), 403, "FORBIDDEN", /App-only/);
    expect(await requestCount()).toBe(before);
  });

  it("accepts the session cookie for reads, and for changes only with this site's Origin (CSRF)", async () => {
    const n01 = await session("n01@contoso.com");
    expect((await callApi(catalogRoute.GET, "/api/v1/catalog", n01)).status).toBe(200);

    const before = await requestCount();
    const withoutOrigin = await createRequest(n01, devAdmin, { origin: null });
    expectError(withoutOrigin, 403, "FORBIDDEN", /Origin header is missing.*cross-site request forgery/);
    const crossSite = await createRequest(n01, devAdmin, { origin: "https://evil.example" });
    expectError(crossSite, 403, "FORBIDDEN", /"https:\/\/evil\.example".*cross-site request forgery/);
    expect(await requestCount()).toBe(before);

    const sameSite = await createRequest(n01, devAdmin);
    expect(sameSite.status).toBe(201);
    expect(await requestCount()).toBe(before + 1);
  });

  it("refuses a cookie whose session has ended with 401", async () => {
    const { cookie } = await signInThroughEmulator("n01@contoso.com");
    await endSession(cookie, new Date());
    expectError(await callApi(catalogRoute.GET, "/api/v1/catalog", { cookie }), 401, "UNAUTHENTICATED");
  });
});

describe("JSON API: requests", () => {
  it("files a request with 201 and records who, from where and the caller's correlation id", async () => {
    const result = await createRequest(await bearer("n01@contoso.com"), prodAdmin, {
      headers: {
        "x-correlation-id": "cli-run-42",
        "x-forwarded-for": "198.51.100.9, 10.0.0.1",
        "user-agent": "jit-cli",
      },
    });
    expect(result.status).toBe(201);
    expect(result.json).toMatchObject({
      status: "pending",
      clusterName: "aks-prod-weu",
      roleName: "admin",
      durationMinutes: 60,
      ticket: "INC12345",
      requester: { userPrincipalName: "n01@contoso.com" },
    });
    expect(result.headers.get("location")).toBe(`/api/v1/requests/${result.json.id}`);
    expect(result.headers.get("x-correlation-id")).toBe("cli-run-42");

    const requester = await db.user.findUniqueOrThrow({ where: { entraObjectId: demoUser("n01@contoso.com").id } });
    expect(result.json.requester.id).toBe(requester.id);
    const created = await db.auditEvent.findFirstOrThrow({
      where: { requestId: result.json.id, type: "request.created" },
    });
    expect(created).toMatchObject({ correlationId: "cli-run-42", actorUpn: "n01@contoso.com" });
    // Called directly, with no connection, the client's address is unknown: the spoofed
    // X-Forwarded-For is not taken for it (test/integration/client-ip.test.ts goes through a socket).
    expect(created.data).toMatchObject({ ip: null, userAgent: "jit-cli" });
  });

  it("approves a self-activating role at once", async () => {
    const result = await createRequest(await bearer("n01@contoso.com"), devAdmin);
    expect(result).toMatchObject({ status: 201, json: { status: "approved", clusterName: "aks-dev-weu" } });
  });

  it.each([
    ["a ticket that fails the policy's pattern", { ...prodAdmin, ticket: "JIRA-7" }, "ticket", /INC|CHG/],
    ["a duration over the maximum", { ...prodAdmin, duration: "PT9H" }, "duration", /longer than this role allows/],
    ["a field of the wrong type", { ...prodAdmin, breakGlass: "yes" }, "breakGlass", /boolean/],
    ["an unknown field", { ...prodAdmin, start_at: "2030-01-01T00:00:00Z" }, "input", /start_at/],
    ["a missing cluster", { ...prodAdmin, cluster: undefined }, "cluster", /./],
  ])("refuses %s with 400 and per-field messages, storing nothing", async (_case, body, field, message) => {
    const before = await requestCount();
    const error = expectError(await createRequest(await bearer("n01@contoso.com"), body), 400, "INVALID_INPUT");
    expect(error.fields?.find((f) => f.field === field)?.message).toMatch(message);
    expect(await requestCount()).toBe(before);
  });

  it.each([
    ["malformed JSON", '{"cluster": "aks-prod-weu",', /not valid JSON/],
    ["a JSON array", "[1, 2]", /got an array/],
    ["a JSON string", '"aks-prod-weu"', /got string/],
    ["JSON null", "null", /got null/],
  ])("refuses %s as the body with 400", async (_case, body, detail) => {
    const before = await requestCount();
    const error = expectError(
      await createRequest(await bearer("n01@contoso.com"), body),
      400,
      "INVALID_INPUT",
      /must be a JSON object/,
    );
    expect(error.message).toMatch(detail);
    expect(await requestCount()).toBe(before);
  });

  it("refuses a requester outside the role's eligible groups with 403", async () => {
    const before = await requestCount();
    expectError(await createRequest(await bearer("aud01@contoso.com"), prodAdmin), 403, "FORBIDDEN", /not in a group/);
    expect(await requestCount()).toBe(before);
  });

  it("lets p01 approve (200), refuses a second decision with 409, and queues nothing twice", async () => {
    const { json: request } = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    const approved = await decide("approve", request.id, await session("p01@contoso.com"), { comment: "go ahead" });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({
      id: request.id,
      status: "approved",
      decisions: [{ outcome: "approve", comment: "go ahead", byUpn: "p01@contoso.com" }],
    });

    const n02 = await bearer("n02@contoso.com");
    expectError(await decide("approve", request.id, n02), 409, "CONFLICT", /approved/);
    expectError(await decide("deny", request.id, n02, { comment: "too late" }), 409, "CONFLICT");
    expect(await db.decision.count({ where: { requestId: request.id } })).toBe(1);
  });

  it("refuses self-approval by n02, an approver, with 403", async () => {
    const n02 = await bearer("n02@contoso.com");
    const { json: request } = await createRequest(n02, prodAdmin);
    expectError(await decide("approve", request.id, n02), 403, "FORBIDDEN", /your own request/);
    expect(await db.decision.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("refuses a denial without a comment with 400 on the comment field, then denies with one", async () => {
    const { json: request } = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    const p01 = await bearer("p01@contoso.com");
    const error = expectError(await decide("deny", request.id, p01, {}), 400, "INVALID_INPUT");
    expect(error.fields?.map((f) => f.field)).toEqual(["comment"]);
    expectError(await decide("deny", request.id, p01, ""), 400, "INVALID_INPUT");
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");

    const denied = await decide("deny", request.id, p01, { comment: "Use the read-only role" });
    expect(denied).toMatchObject({ status: 200, json: { status: "denied" } });
  });

  it("lets the requester cancel a pending request, with or without a body", async () => {
    const n01 = await bearer("n01@contoso.com");
    const { json: first } = await createRequest(n01, prodAdmin);
    expect(await decide("cancel", first.id, n01)).toMatchObject({ status: 200, json: { status: "cancelled" } });
    const { json: second } = await createRequest(n01, prodAdmin);
    const noBody = await callApi(cancelRoute.POST, `/api/v1/requests/${second.id}/cancel`, n01, {
      method: "POST",
      params: { id: second.id },
    });
    expect(noBody).toMatchObject({ status: 200, json: { status: "cancelled" } });
    expectError(await decide("cancel", second.id, n01), 409, "CONFLICT");
  });

  it("answers 404 for an unknown id, a malformed id and a request the caller may not see", async () => {
    const n01 = await bearer("n01@contoso.com");
    expectError(await getRequest(randomUUID(), n01), 404, "NOT_FOUND");
    expectError(await getRequest("not-a-uuid", n01), 404, "NOT_FOUND");
    expectError(await decide("approve", randomUUID(), await bearer("p01@contoso.com")), 404, "NOT_FOUND");

    // A self-activated dev request has no approvers: n02 (an approver elsewhere) may not see it.
    const { json: request } = await createRequest(n01, devAdmin);
    expect((await getRequest(request.id, n01)).json).toMatchObject({ id: request.id, status: "approved" });
    expectError(await getRequest(request.id, await bearer("n02@contoso.com")), 404, "NOT_FOUND");
  });

  it("lists by scope: mine by default, approvable for approvers, all for auditors only", async () => {
    const n01 = await bearer("n01@contoso.com");
    const { json: request } = await createRequest(n01, prodAdmin);
    const ids = (result: Awaited<ReturnType<typeof callApi>>) =>
      (result.json.requests as Array<{ id: string; requester: { userPrincipalName: string } }>).map((r) => r.id);

    const mine = await listRequests(n01);
    expect(mine.status).toBe(200);
    expect(ids(mine)).toContain(request.id);
    expect(
      (mine.json.requests as Array<{ requester: { userPrincipalName: string } }>).every(
        (r) => r.requester.userPrincipalName === "n01@contoso.com",
      ),
    ).toBe(true);
    expect(ids(await listRequests(await bearer("p01@contoso.com"), "?scope=approvable"))).toContain(request.id);
    expect(ids(await listRequests(await bearer("aud01@contoso.com"), "?scope=all"))).toContain(request.id);

    expectError(await listRequests(n01, "?scope=all"), 403, "FORBIDDEN");
    expectError(await listRequests(n01, "?scope=approvable"), 403, "FORBIDDEN");
    const bad = expectError(await listRequests(n01, "?scope=everything"), 400, "INVALID_INPUT");
    expect(bad.fields?.[0]?.field).toBe("scope");
  });
});

/** Emulator fault injection (emulator/faults.ts): a body adds a fault, none clears them all. */
const faults = (body?: object) =>
  fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/faults`, {
    method: body ? "POST" : "DELETE",
    headers: { "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });

/** A self-activating dev admin request, filed through the API and activated as the worker would. */
async function activeDevAdmin(credentials: Credentials, now = new Date()) {
  const { json: request } = await createRequest(credentials, devAdmin);
  expect(await activateRequest(request.id, now)).toBe("active");
  return request as { id: string; requester: { userPrincipalName: string } };
}

const storedRequest = (id: string) => db.accessRequest.findUniqueOrThrow({ where: { id } });

describe("JSON API: granted access", () => {
  afterAll(async () => {
    await faults();
    // Leave no access behind in the emulator for the files that run after this one: end everything
    // these tests activated, revoked or ended early (as the expiry sweep would, a day from now).
    const later = new Date(Date.now() + 2 * 24 * 60 * 60_000);
    for (let round = 0; round < 10; round += 1) {
      const { requests, grants } = await expireDueAccess(later);
      if (requests + grants === 0) break;
    }
  });

  it("lets the holder extend active access (200, activeUntil moves) and nobody else (404)", async () => {
    const n02 = await bearer("n02@contoso.com");
    const request = await activeDevAdmin(n02);
    const before = await storedRequest(request.id);
    const extended = await act("extend", request.id, n02, { duration: "PT30M" });
    expect(extended.status).toBe(200);
    const movedTo = new Date(before.activeUntil!.getTime() + 30 * 60_000).toISOString();
    expect(extended.json).toMatchObject({ id: request.id, status: "active", activeUntil: movedTo, canExtend: true });
    expect((await storedRequest(request.id)).activeUntil?.toISOString()).toBe(movedTo);
    expect(await db.auditEvent.count({ where: { requestId: request.id, type: "request.extended" } })).toBe(1);

    expectError(
      await act("extend", request.id, await bearer("n01@contoso.com"), { duration: "PT30M" }),
      404,
      "NOT_FOUND",
    );
    expect((await storedRequest(request.id)).activeUntil?.toISOString()).toBe(movedTo);
  });

  it.each([
    ["beyond the role's maximum total", { duration: "P1D" }, "duration", /at most 1 d in all/],
    ["a duration that is not ISO 8601", { duration: "30 minutes" }, "duration", /PT30M/],
    ["a missing duration", {}, "duration", /./],
    ["an unknown field", { duration: "PT30M", approve: true }, "input", /approve/],
  ])("refuses an extension %s with 400 and a field error, changing nothing", async (_case, body, field, message) => {
    const n02 = await bearer("n02@contoso.com");
    const request = await activeDevAdmin(n02);
    const { activeUntil } = await storedRequest(request.id);
    const error = expectError(await act("extend", request.id, n02, body), 400, "INVALID_INPUT");
    expect(error.fields?.find((f) => f.field === field)?.message).toMatch(message);
    expect((await storedRequest(request.id)).activeUntil).toEqual(activeUntil);
  });

  it("refuses to extend access that is not active with 409", async () => {
    const n01 = await bearer("n01@contoso.com");
    const { json: pending } = await createRequest(n01, prodAdmin);
    expectError(await act("extend", pending.id, n01, { duration: "PT30M" }), 409, "CONFLICT", /active/);
  });

  it("lets the holder end their active access early, with or without a comment, and nobody else", async () => {
    const n01 = await bearer("n01@contoso.com");
    const request = await activeDevAdmin(n01);
    expectError(await act("deactivate", request.id, await bearer("n02@contoso.com"), {}), 404, "NOT_FOUND");
    const ended = await act("deactivate", request.id, n01, { comment: "Rollout fixed" });
    expect(ended).toMatchObject({ status: 200, json: { status: "deactivated", canEndEarly: false, commands: [] } });
    expect(await storedRequest(request.id)).toMatchObject({ status: "deactivated" });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "request.deactivated" },
    });
    expect(event.data).toMatchObject({ comment: "Rollout fixed", channel: "api" });
    expectError(await act("deactivate", request.id, n01), 409, "CONFLICT");

    const second = await activeDevAdmin(n01);
    expect(await act("deactivate", second.id, n01)).toMatchObject({ status: 200, json: { status: "deactivated" } });
  });

  it("lets only admins revoke (403 for n01), requires a reason (400), then revokes", async () => {
    const n02 = await bearer("n02@contoso.com");
    const request = await activeDevAdmin(n02);
    expectError(
      await act("revoke", request.id, await bearer("n01@contoso.com"), { reason: "Not yours to take" }),
      403,
      "FORBIDDEN",
    );
    const adm01 = await bearer("adm01@contoso.com");
    const missing = expectError(await act("revoke", request.id, adm01, {}), 400, "INVALID_INPUT");
    expect(missing.fields?.map((f) => f.field)).toEqual(["reason"]);
    const blank = expectError(await act("revoke", request.id, adm01, { reason: "   " }), 400, "INVALID_INPUT");
    expect(blank.fields?.map((f) => f.field)).toEqual(["reason"]);
    expect(await storedRequest(request.id)).toMatchObject({ status: "active" });

    const revoked = await act("revoke", request.id, adm01, { reason: "Laptop reported stolen", endSessions: true });
    expect(revoked).toMatchObject({ status: 200, json: { id: request.id, status: "revoked", canRevoke: false } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.revoked" } });
    expect(event).toMatchObject({ actorUpn: "adm01@contoso.com" });
    expect(event.data).toMatchObject({ reason: "Laptop reported stolen", sessionsRevoked: true });
    expectError(await act("revoke", request.id, adm01, { reason: "Again" }), 409, "CONFLICT");
  });

  it("lets an admin retry a failed activation (200, approved again), refusing non-admins and other states", async () => {
    const n01 = await bearer("n01@contoso.com");
    const { json: request } = await createRequest(n01, devAdmin);
    const adm01 = await bearer("adm01@contoso.com");
    expectError(await act("retry", request.id, adm01), 409, "CONFLICT");

    await faults({ path: "roleAssignments/", method: "PUT", count: 1, status: 403 });
    expect(await activateRequest(request.id, new Date())).toBe("failed");
    expectError(await act("retry", request.id, await bearer("n02@contoso.com")), 403, "FORBIDDEN");
    const seen = await getRequest(request.id, adm01);
    expect(seen.json).toMatchObject({ status: "failed", canRetry: true, failureReason: expect.any(String) });

    const retried = await act("retry", request.id, adm01);
    expect(retried).toMatchObject({ status: 200, json: { status: "approved", failureReason: null, canRetry: false } });
    expect(await db.auditEvent.count({ where: { requestId: request.id, type: "request.activation_retried" } })).toBe(1);
  });

  it("lists active grants: the caller's own by default, everyone's for auditors only, 400 on another scope", async () => {
    const n01 = await bearer("n01@contoso.com");
    const mineRequest = await activeDevAdmin(n01);
    const othersRequest = await activeDevAdmin(await bearer("n02@contoso.com"));
    type Grant = { holder: { userPrincipalName: string }; requests: Array<{ id: string }> };
    const covering = (grants: Grant[], requestId: string) =>
      grants.filter((g) => g.requests.some((r) => r.id === requestId));

    const mine = await listGrants(n01);
    expect(mine.status).toBe(200);
    expect(mine.json).toEqual(await listGrants(n01, "?scope=mine").then((r) => r.json));
    const own = mine.json.grants as Grant[];
    expect(covering(own, mineRequest.id)).toHaveLength(2);
    expect(covering(own, othersRequest.id)).toEqual([]);
    expect(own.every((g) => g.holder.userPrincipalName === "n01@contoso.com")).toBe(true);

    expectError(await listGrants(n01, "?scope=all"), 403, "FORBIDDEN");
    const all = await listGrants(await bearer("aud01@contoso.com"), "?scope=all");
    expect(all.status).toBe(200);
    expect(covering(all.json.grants, mineRequest.id)).toHaveLength(2);
    expect(covering(all.json.grants, othersRequest.id)).toHaveLength(2);

    const bogus = expectError(await listGrants(n01, "?scope=bogus"), 400, "INVALID_INPUT", /scope=mine or scope=all/);
    expect(bogus.fields?.[0]?.field).toBe("scope");
    // Each answer above was checked against the documented GrantList (support/openapi-contract.ts).
  });
});

describe("JSON API: audit", () => {
  it("serves a request's evidence pack to auditors, as a file the offline check accepts", async () => {
    const filed = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    const id = filed.json.id as string;
    const path = `/api/v1/requests/${id}/evidence`;
    expectError(
      await callApi(evidenceRoute.GET, path, await bearer("n01@contoso.com"), { params: { id } }),
      403,
      "FORBIDDEN",
    );
    const result = await callApi(evidenceRoute.GET, path, await bearer("aud01@contoso.com"), { params: { id } });
    expect(result.status).toBe(200);
    expect(result.headers.get("content-disposition")).toBe(`attachment; filename="aks-jit-evidence-${id}.json"`);
    expect(result.json).toMatchObject({
      format: "aks-jit-evidence/3",
      requestId: id,
      generatedBy: "aud01@contoso.com",
    });
    expect(checkEvidencePack(result.json)).toMatchObject({ isValid: true, events: 1 });
  });

  it("verifies the audit chain for auditors and admins only, and records that it did", async () => {
    expectError(
      await callApi(auditVerifyRoute.GET, "/api/v1/audit/verify", await bearer("n01@contoso.com")),
      403,
      "FORBIDDEN",
    );
    expectError(
      await callApi(auditVerifyRoute.GET, "/api/v1/audit/verify", await bearer("p01@contoso.com")),
      403,
      "FORBIDDEN",
    );
    const result = await callApi(auditVerifyRoute.GET, "/api/v1/audit/verify", await bearer("aud01@contoso.com"));
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ isIntact: true, broken: null, ranBy: "aud01@contoso.com", unchained: 0 });
    expect(result.json.events).toBeGreaterThan(10);
    const recorded = await db.auditEvent.findFirstOrThrow({
      where: { type: "audit.verified" },
      orderBy: { seq: "desc" },
    });
    expect(recorded).toMatchObject({ actorUpn: "aud01@contoso.com" });
    expect(recorded.data).toMatchObject({ isIntact: true, events: result.json.events, channel: "api" });
    const admin = await callApi(auditVerifyRoute.GET, "/api/v1/audit/verify", await bearer("adm01@contoso.com"));
    // The second check also covers the first one's own event.
    expect(admin.json).toMatchObject({ isIntact: true, events: result.json.events + 1 });
  });
});

describe("JSON API: audit search and export", () => {
  it("searches for auditors (200), a page at a time by cursor, and refuses requesters and approvers (403)", async () => {
    const { json: request } = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    await decide("approve", request.id, await bearer("p01@contoso.com"), { comment: "go ahead" });
    const aud01 = await bearer("aud01@contoso.com");

    const first = await searchAudit(aud01, `?requestId=${request.id}&limit=1`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.json).toMatchObject({
      count: 2,
      nextCursor: expect.any(String),
      events: [
        {
          type: "request.approved",
          actorUpn: "p01@contoso.com",
          requesterUpn: "n01@contoso.com",
          requestId: request.id,
          clusterName: "aks-prod-weu",
          roleName: "admin",
          data: { comment: "go ahead" },
        },
      ],
    });
    const second = await searchAudit(aud01, `?requestId=${request.id}&limit=1&cursor=${first.json.nextCursor}`);
    expect(second.json).toMatchObject({ count: 2, nextCursor: null, events: [{ type: "request.created" }] });
    expect(BigInt(second.json.events[0].seq)).toBeLessThan(BigInt(first.json.events[0].seq));

    const types = await searchAudit(aud01, `?requestId=${request.id}&type=request.created&type=request.denied`);
    expect(types.json.events.map((e: { type: string }) => e.type)).toEqual(["request.created"]);
    // An empty filter is no filter, `type` like the others; count=exact counts every match.
    const empty = await searchAudit(aud01, `?requestId=${request.id}&type=&actor=&count=exact`);
    expect(empty.status).toBe(200);
    expect(empty.json).toMatchObject({ count: 2, isCountExact: true });
    // Each answer above was checked against the documented AuditPage (support/openapi-contract.ts).

    for (const upn of ["n01@contoso.com", "p01@contoso.com"]) {
      expectError(await searchAudit(await bearer(upn), `?requestId=${request.id}`), 403, "FORBIDDEN");
      const refused = await exportAudit((await bearer(upn)) as { bearer: string }, "?format=csv");
      expect(refused.status, upn).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: "FORBIDDEN" } });
    }
  });

  it.each([
    ["a time that is not ISO 8601", "?from=yesterday", "from"],
    ["an unknown parameter (a misspelt filter)", "?actr=n01@contoso.com", "input"],
    ["a limit over 200", "?limit=1000", "limit"],
    ["an unknown event type", "?type=request.created&type=request.teleported", "type"],
    // Every value of a repeated activity filter is read, not only the last.
    ["an unknown activity filter", "?activity=secrets&activity=after-end", "activity"],
  ])("refuses %s with 400 on that field", async (_case, query, field) => {
    const error = expectError(await searchAudit(await bearer("aud01@contoso.com"), query), 400, "INVALID_INPUT");
    expect(error.fields?.map((f) => f.field)).toEqual([field]);
  });

  it("exports a search as CSV or JSON Lines, as an attachment, one line per event", async () => {
    const { json: request } = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    await decide("deny", request.id, await bearer("p01@contoso.com"), { comment: "Use the read-only role" });
    const aud01 = (await bearer("aud01@contoso.com")) as { bearer: string };

    const csv = await exportAudit(aud01, `?format=csv&requestId=${request.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-events-[0-9T-]+Z\.csv"$/);
    expect(csv.headers.get("cache-control")).toBe("no-store");
    expect(csv.headers.get("x-correlation-id")).toBeTruthy();
    const lines = csv.text.split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(1 + 2); // the header and both events
    expect(lines[0]).toMatch(/^seq,occurredAt,type,/);

    const jsonl = await exportAudit(aud01, `?format=jsonl&requestId=${request.id}&type=request.denied`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("content-type")).toBe("application/x-ndjson");
    expect(jsonl.headers.get("content-disposition")).toMatch(/\.jsonl"$/);
    const events = jsonl.text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events).toMatchObject([{ type: "request.denied", requestId: request.id, hash: expect.any(String) }]);

    // Who exported what is itself on the record, with the filters as given.
    const exported = await db.auditEvent.findMany({
      where: { type: "audit.exported", actorUpn: "aud01@contoso.com" },
      orderBy: { seq: "desc" },
      take: 2,
    });
    expect(exported.map((e) => e.data)).toEqual([
      { what: "search", format: "jsonl", filters: { requestId: request.id, type: ["request.denied"] }, channel: "api" },
      { what: "search", format: "csv", filters: { requestId: request.id }, channel: "api" },
    ]);

    const noFormat = await exportAudit(aud01, `?requestId=${request.id}`);
    expect(noFormat.status).toBe(400);
    expect(JSON.parse(noFormat.text).error.fields).toEqual([{ field: "format", message: expect.any(String) }]);
  });
});

describe("JSON API: unexpected failures and the OpenAPI document", () => {
  it("answers 500 with a reference and no internals when something unexpected fails", async () => {
    const failing = apiRoute(async () => {
      throw new Error("connection to 10.1.2.3 refused: password=hunter2");
    });
    const result = await callApi(failing, "/api/v1/catalog", await bearer("n01@contoso.com"), {
      headers: { "x-correlation-id": "trace-500" },
    });
    const error = expectError(result, 500, "INTERNAL", /reference: trace-500/);
    expect(JSON.stringify(result.json)).not.toMatch(/10\.1\.2\.3|hunter2|Error/);
    expect(error.fields).toBeUndefined();
  });

  it("serves an OpenAPI 3.1 document whose paths match the route handlers and whose refs resolve", async () => {
    const result = await callApi(openApiRoute.GET, "/api/v1/openapi.json", null);
    expect(result.status).toBe(200);
    const doc = result.json;
    expect(doc.openapi).toBe("3.1.0");

    const routes: Record<string, Record<string, unknown>> = {
      "/api/v1/catalog": catalogRoute,
      "/api/v1/requests": requestsRoute,
      "/api/v1/requests/{id}": requestRoute,
      "/api/v1/requests/{id}/approve": approveRoute,
      "/api/v1/requests/{id}/deny": denyRoute,
      "/api/v1/requests/{id}/cancel": cancelRoute,
      "/api/v1/requests/{id}/extend": extendRoute,
      "/api/v1/requests/{id}/deactivate": deactivateRoute,
      "/api/v1/requests/{id}/revoke": revokeRoute,
      "/api/v1/requests/{id}/retry": retryRoute,
      "/api/v1/grants": grantsRoute,
      "/api/v1/audit": auditRoute,
      "/api/v1/audit/export": auditExportRoute,
      "/api/v1/audit/verify": auditVerifyRoute,
      "/api/v1/requests/{id}/evidence": evidenceRoute,
      "/api/v1/openapi.json": openApiRoute,
      "/api/health": healthRoute,
      "/api/health/live": livenessRoute,
      "/api/health/ready": readinessRoute,
    };
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(routes).sort());
    for (const [path, module] of Object.entries(routes)) {
      const exported = ["GET", "POST"].filter((method) => typeof module[method] === "function");
      expect(
        Object.keys(doc.paths[path]).map((m) => m.toUpperCase()),
        path,
      ).toEqual(exported);
    }

    const refs: string[] = [];
    JSON.stringify(doc, (key, value) => (key === "$ref" ? (refs.push(value), value) : value));
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\//);
      const target = ref
        .slice(2)
        .split("/")
        .reduce((node, key) => node?.[key], doc);
      expect(target, ref).toBeDefined();
    }

    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["entraId", "sessionCookie"]);
    expect(doc.components.securitySchemes.entraId.flows.authorizationCode.scopes).toHaveProperty(API_SCOPE);
    expect(doc.components.schemas.RequestAccessInput).toMatchObject({
      additionalProperties: false,
      required: ["cluster", "role", "duration"],
    });
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const { json: doc } = await callApi(openApiRoute.GET, "/api/v1/openapi.json", null);
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.valid, JSON.stringify(result.errors, null, 2)).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes a request with exactly the fields, types, nullability and statuses the API returns", async () => {
    const { json: view } = await createRequest(await bearer("n01@contoso.com"), prodAdmin);
    const path = `/api/v1/requests/${view.id}`;
    const observed = { method: "GET", path, status: 200, contentType: "application/json" };
    expect(() => checkAgainstDocument({ ...observed, body: view })).not.toThrow();
    // What the check refuses: a field left out, one added, a wrong type, a null where none may be, an unknown status.
    const { canRetry: _dropped, ...withoutField } = view;
    for (const drifted of [
      withoutField,
      { ...view, addedField: true },
      { ...view, durationMinutes: "60" },
      { ...view, isBreakGlass: null },
      { ...view, status: "teleported" },
    ])
      expect(() => checkAgainstDocument({ ...observed, body: drifted })).toThrow(/does not match its schema/);
    expect(() => checkAgainstDocument({ ...observed, status: 418, body: view })).toThrow(/does not document/);
  });
});

describe("JSON API: the health probes", () => {
  it("answers liveness without the database and readiness with each check, as documented", async () => {
    const live = await callApi(async () => livenessRoute.GET(), "/api/health/live", null);
    expect(live).toMatchObject({ status: 200, json: { status: "ok" } });
    for (const [route, path] of [
      [readinessRoute, "/api/health/ready"],
      [healthRoute, "/api/health"],
    ] as const) {
      const ready = await callApi(route.GET, path, null);
      expect(ready.status).toBe(200);
      expect(ready.json).toMatchObject({
        status: "ok",
        checks: { database: { status: "ok" }, migrations: { status: "ok" } },
      });
    }
  });
});

// Last in the file: every call above was checked against the document by the API harness.
describe("JSON API: the contract", () => {
  it("answered every documented operation with success, each answer as the document describes it", () => {
    expect(operationsNotExercised()).toEqual([]);
  });
});
