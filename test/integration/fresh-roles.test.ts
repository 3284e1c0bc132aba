import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as auditExportRoute from "@/app/api/v1/audit/export/route";
import * as auditRoute from "@/app/api/v1/audit/route";
import * as approveRoute from "@/app/api/v1/requests/[id]/approve/route";
import * as retryRoute from "@/app/api/v1/requests/[id]/retry/route";
import * as revokeRoute from "@/app/api/v1/requests/[id]/revoke/route";
import * as requestsRoute from "@/app/api/v1/requests/route";
import { checkDriftAction } from "@/app/(dashboard)/admin/actions";
import { verifyChainAction } from "@/app/(dashboard)/audit/actions";
import { decideAction } from "@/app/(dashboard)/requests/[id]/actions";
import { cancelRequest } from "@/lib/access/cancel-request";
import {
  listApprovableRequests,
  listFailedRequests,
  loadRequestView,
  recentRequestsOnCluster,
} from "@/lib/access/request-queries";
import { requestAccess } from "@/lib/access/request-access";
import { searchAuditEvents } from "@/lib/audit/search";
import { requirePermission } from "@/lib/auth/current-user";
import { resolveSession } from "@/lib/auth/session";
import { appGraphClient } from "@/lib/cloud/credentials";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { bearer, callApi, type Credentials } from "../support/api";
import { demoUser } from "../support/emulator-browser";
import { injectFault } from "../support/emulator-state";
import { signInThroughEmulator } from "../support/sign-in";
import { contextFor } from "../support/users";

/**
 * Roles follow Entra: someone removed from the admin, auditor or approver group loses what it gave
 * within ROLE_FRESHNESS_SECONDS on the API (cookie and bearer), on pages and in server actions, the
 * session's stored groups follow, and Graph being down withholds privileged roles with a clear
 * message. Refused privileged attempts are audited, once per window. Guards against roles frozen
 * at sign-in for the whole session (issue 14, item 1) and against "recent requests on this cluster"
 * showing requests routed to other approver groups (item 8).
 */

// Pages and server actions read the browser's cookie and headers through next/headers; here they are
// the test's. forbidden() and friends throw, as they do in Next.
const browser = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", async () => {
  const { env: appEnv } = await import("@/lib/config/env");
  return {
    cookies: async () => ({ get: (name: string) => (browser.cookie ? { name, value: browser.cookie } : undefined) }),
    headers: async () => new Headers({ origin: new URL(appEnv.APP_URL).origin, "user-agent": "vitest" }),
  };
});
vi.mock("next/navigation", () => ({
  forbidden: () => {
    throw new Error("NEXT_HTTP_ERROR_FALLBACK;403");
  },
  notFound: () => {
    throw new Error("NEXT_HTTP_ERROR_FALLBACK;404");
  },
  redirect: (to: string) => {
    throw new Error(`NEXT_REDIRECT;${to}`);
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const ADMINS = env.ADMIN_GROUP_IDS[0]!;
const AUDITORS = env.AUDITOR_GROUP_IDS[0]!;
const APPROVERS = env.APPROVER_GROUP_IDS[0]!;
const BOUND_MS = env.ROLE_FRESHNESS_SECONDS * 1000;
const prodAdmin = { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", ticket: "INC40014" };

const undo: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  vi.useRealTimers();
  await injectFault();
  // Membership back as the demo tenant has it, whatever the test got to.
  for (const step of undo.splice(0).reverse()) await step();
});

/** Takes a person out of a group through Graph, as an Entra admin would; put back after the test. */
async function removeFromGroup(groupId: string, upn: string) {
  const { id } = demoUser(upn);
  await appGraphClient().api(`/groups/${groupId}/members/${id}/$ref`).delete();
  undo.push(() => addToGroup(groupId, upn, { isUndo: true }));
}

async function addToGroup(groupId: string, upn: string, options: { isUndo?: boolean } = {}) {
  const { id } = demoUser(upn);
  await appGraphClient()
    .api(`/groups/${groupId}/members/$ref`)
    .post({ "@odata.id": `${env.GRAPH_BASE_URL}/v1.0/directoryObjects/${id}` });
  if (!options.isUndo) undo.push(() => appGraphClient().api(`/groups/${groupId}/members/${id}/$ref`).delete());
}

/** Moves the app's clock (Date only: timers and I/O run as usual) this far past `from`. */
function clockAt(from: number, ms: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(from + ms));
}

/** A signed-in browser session and a bearer token for the same person, both taken now. */
async function signIn(upn: string) {
  const { cookie } = await signInThroughEmulator(upn);
  return { cookie, cookieCredentials: { cookie } as Credentials, bearerCredentials: await bearer(upn) };
}

const asBrowser = (cookie: string) => {
  browser.cookie = cookie;
};

/** Refusals in [since, until]: other files record some at simulated times of their own. */
const refusals = (upn: string, since: Date, until = new Date(since.getTime() + 5 * 60_000)) =>
  db.auditEvent.findMany({
    where: { type: "access.refused", actorUpn: upn, occurredAt: { gte: since, lte: until } },
    orderBy: { seq: "asc" },
  });

/** Files a request as n01, first cancelling n01's open ones for that role (left by other files), which would refuse it as a duplicate. */
async function fileAsN01(input: typeof prodAdmin & { justification: string }) {
  const requester = await contextFor("n01@contoso.com");
  const open = await db.accessRequest.findMany({
    where: {
      requesterId: requester.viewer.id,
      clusterName: input.cluster,
      roleName: input.role,
      status: { in: ["pending", "approved", "scheduled"] },
    },
  });
  for (const { id } of open) await cancelRequest(id, requester).catch(() => undefined);
  const filed = await requestAccess(input, requester);
  undo.push(() => cancelRequest(filed.id, requester));
  return { filed, requester };
}

const retry = (credentials: Credentials, id = randomUUID()) =>
  callApi(retryRoute.POST, `/api/v1/requests/${id}/retry`, credentials, { body: {}, params: { id } });
const revoke = (credentials: Credentials, id = randomUUID()) =>
  callApi(revokeRoute.POST, `/api/v1/requests/${id}/revoke`, credentials, {
    body: { reason: "Leaver" },
    params: { id },
  });

describe("roles that follow Entra group membership", () => {
  it("an admin removed from the admin group loses revoke, retry, the admin page and Check now within the bound", async () => {
    const admin = await signIn("adm01@contoso.com");
    const start = Date.now();

    // Before: every way in works, and "Check now" records who asked.
    asBrowser(admin.cookie);
    for (const credentials of [admin.cookieCredentials, admin.bearerCredentials]) {
      expect((await retry(credentials)).status).toBe(404);
      expect((await revoke(credentials)).status).toBe(404);
    }
    await expect(requirePermission("catalog.admin", "/admin")).resolves.toMatchObject({
      roles: expect.arrayContaining(["admin"]),
    });
    const checked = await checkDriftAction({ message: null, fields: {}, result: null });
    expect(checked.message).toBeNull();
    const checkEvent = await db.auditEvent.findFirstOrThrow({
      where: { type: "drift.checked", actorUpn: "adm01@contoso.com", occurredAt: { gte: new Date(start) } },
    });
    expect(checkEvent.data).toMatchObject({ bindings: checked.result!.bindings, channel: "web", userAgent: "vitest" });

    await removeFromGroup(ADMINS, "adm01@contoso.com");

    // Past the bound: the API (cookie and bearer), the page's gate and data, and the server action refuse.
    clockAt(start, BOUND_MS + 1_000);
    for (const credentials of [admin.cookieCredentials, admin.bearerCredentials]) {
      const refused = await retry(credentials);
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe("FORBIDDEN");
      expect((await revoke(credentials)).status).toBe(403);
    }
    await expect(requirePermission("catalog.admin", "/admin")).rejects.toThrow("NEXT_HTTP_ERROR_FALLBACK;403");
    const viewer = (await resolveSession(admin.cookie, new Date()))!;
    expect(viewer.roles).toEqual(["requester"]);
    await expect(listFailedRequests(viewer)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const action = await checkDriftAction({ message: null, fields: {}, result: null });
    expect(action.result).toBeNull();
    expect(action.message).toMatch(/don't have permission/);

    // The session's stored groups follow Entra.
    const ownSession = await db.session.findFirstOrThrow({
      where: { user: { userPrincipalName: "adm01@contoso.com" } },
      orderBy: { createdAt: "desc" },
    });
    expect(ownSession.groupIds).not.toContain(ADMINS);
  });

  it("an auditor removed from the auditors group loses the audit search, export and verification within the bound", async () => {
    const auditor = await signIn("aud01@contoso.com");
    const start = Date.now();
    asBrowser(auditor.cookie);
    for (const credentials of [auditor.cookieCredentials, auditor.bearerCredentials]) {
      expect((await callApi(auditRoute.GET, "/api/v1/audit", credentials)).status).toBe(200);
    }

    await removeFromGroup(AUDITORS, "aud01@contoso.com");
    // Within the bound the membership read at sign-in still stands: one Graph read per person per bound.
    clockAt(start, BOUND_MS / 2);
    expect((await callApi(auditRoute.GET, "/api/v1/audit", auditor.bearerCredentials)).status).toBe(200);

    clockAt(start, BOUND_MS + 1_000);
    for (const credentials of [auditor.cookieCredentials, auditor.bearerCredentials]) {
      expect((await callApi(auditRoute.GET, "/api/v1/audit", credentials)).status).toBe(403);
      const exported = await callApi(auditExportRoute.GET, "/api/v1/audit/export?format=csv", credentials);
      expect(exported.status).toBe(403);
    }
    await expect(requirePermission("audit.read", "/audit")).rejects.toThrow("NEXT_HTTP_ERROR_FALLBACK;403");
    const viewer = (await resolveSession(auditor.cookie, new Date()))!;
    await expect(searchAuditEvents(viewer, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await verifyChainAction({ message: null, fields: {} })).message).toMatch(/don't have permission/);

    // The export attempt is on the record, once however many times it was tried.
    const refused = await refusals("aud01@contoso.com", new Date(start), new Date(start + BOUND_MS + 1_000));
    expect(refused.filter((e) => (e.data as { kind: string }).kind === "audit.export")).toHaveLength(1);
    expect(refused.filter((e) => (e.data as { kind: string }).kind === "page.open")).toHaveLength(1);
  });

  it("an approver removed from the approver group can no longer see or decide requests", async () => {
    const { filed } = await fileAsN01({ ...prodAdmin, justification: "Fresh roles: approver removal" });
    const approver = await signIn("p01@contoso.com");
    const start = Date.now();
    const before = (await resolveSession(approver.cookie, new Date()))!;
    expect((await listApprovableRequests(before)).map((r) => r.id)).toContain(filed.id);

    await removeFromGroup(APPROVERS, "p01@contoso.com");
    clockAt(start, BOUND_MS + 1_000);

    const viewer = (await resolveSession(approver.cookie, new Date()))!;
    expect(viewer.roles).not.toContain("approver");
    await expect(listApprovableRequests(viewer)).rejects.toMatchObject({ code: "FORBIDDEN" });
    for (const credentials of [approver.cookieCredentials, approver.bearerCredentials]) {
      const approved = await callApi(approveRoute.POST, `/api/v1/requests/${filed.id}/approve`, credentials, {
        body: { comment: "ok" },
        params: { id: filed.id },
      });
      expect(approved.status).toBe(403);
    }
    asBrowser(approver.cookie);
    const form = new FormData();
    form.set("comment", "ok");
    expect((await decideAction(filed.id, { message: null, fields: {} }, form)).message).toMatch(
      /don't have permission/,
    );
    expect(await db.decision.count({ where: { requestId: filed.id } })).toBe(0);
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: filed.id } })).status).toBe("pending");
  });

  it("a person added to a group gains its role within the bound, without signing in again", async () => {
    const engineer = await signIn("n01@contoso.com");
    const start = Date.now();
    expect((await callApi(auditRoute.GET, "/api/v1/audit", engineer.bearerCredentials)).status).toBe(403);
    await addToGroup(AUDITORS, "n01@contoso.com");
    clockAt(start, BOUND_MS + 1_000);
    for (const credentials of [engineer.cookieCredentials, engineer.bearerCredentials]) {
      expect((await callApi(auditRoute.GET, "/api/v1/audit", credentials)).status).toBe(200);
    }
    const viewer = (await resolveSession(engineer.cookie, new Date()))!;
    expect(viewer.roles).toContain("auditor");
  });

  it("when Graph cannot be read, privileged actions are refused with a clear message and the rest works", async () => {
    const admin = await signIn("adm01@contoso.com");
    const start = Date.now();
    const refusalsBefore = await db.auditEvent.count({
      where: { type: "access.refused", actorUpn: "adm01@contoso.com" },
    });
    await injectFault({ path: "transitiveMemberOf", count: 1000, status: 500 });
    clockAt(start, BOUND_MS + 1_000);

    for (const credentials of [admin.cookieCredentials, admin.bearerCredentials]) {
      const refused = await retry(credentials);
      expect(refused.status).toBe(502);
      expect(refused.json.error.message).toMatch(/could not be checked with Microsoft Graph/);
      // What every signed-in person may do goes on working.
      const mine = await callApi(requestsRoute.GET, "/api/v1/requests?scope=mine", credentials);
      expect(mine.status).toBe(200);
    }
    asBrowser(admin.cookie);
    await expect(requirePermission("catalog.admin", "/admin")).rejects.toThrow("NEXT_HTTP_ERROR_FALLBACK;403");
    expect((await checkDriftAction({ message: null, fields: {}, result: null })).message).toMatch(
      /could not be checked with Microsoft Graph/,
    );
    // Not a refusal of the person: nothing on the record.
    expect(await db.auditEvent.count({ where: { type: "access.refused", actorUpn: "adm01@contoso.com" } })).toBe(
      refusalsBefore,
    );
  });
});

describe("audit of refused privileged attempts", () => {
  it("records one access.refused per person and kind in each window, and again after it", async () => {
    const engineer = await signIn("n01@contoso.com");
    // Minutes after any refusal an earlier test file recorded for n01 (one per kind a minute), so
    // this window holds only this test's attempts.
    const start = Date.now() + 5 * 60_000;
    clockAt(start, 0);
    for (let i = 0; i < 5; i += 1) expect((await revoke(engineer.bearerCredentials)).status).toBe(403);
    expect((await retry(engineer.cookieCredentials)).status).toBe(403);
    asBrowser(engineer.cookie);
    await expect(requirePermission("catalog.admin", "/admin")).rejects.toThrow("NEXT_HTTP_ERROR_FALLBACK;403");
    await expect(requirePermission("catalog.admin", "/admin")).rejects.toThrow("NEXT_HTTP_ERROR_FALLBACK;403");

    const first = await refusals("n01@contoso.com", new Date(start), new Date(start + 60_000));
    expect(first.map((e) => (e.data as { kind: string }).kind).sort()).toEqual([
      "page.open",
      "request.retry",
      "request.revoke",
    ]);
    expect(first.find((e) => (e.data as { kind: string }).kind === "page.open")!.data).toMatchObject({
      permission: "catalog.admin",
      path: "/admin",
    });
    expect(first.find((e) => (e.data as { kind: string }).kind === "request.revoke")!.data).toMatchObject({
      permission: "access.administer",
      channel: "api",
    });

    // A minute on, the next attempt is recorded again.
    clockAt(start, 61_000);
    expect((await revoke(engineer.bearerCredentials)).status).toBe(403);
    const after = await refusals("n01@contoso.com", new Date(start), new Date(start + 61_000));
    expect(after.filter((e) => (e.data as { kind: string }).kind === "request.revoke")).toHaveLength(2);
  });
});

describe("recent requests on this cluster", () => {
  it("shows an approver only the requests they may open, and an approval outside their groups is audited", async () => {
    const { filed: routedHere, requester } = await fileAsN01({ ...prodAdmin, justification: "Routed to approvers" });
    const { filed: routedElsewhere } = await fileAsN01({
      ...prodAdmin,
      role: "node-access",
      justification: "Routed to the jit-admins",
    });
    // As if the role's policy had named another approver group when it was filed.
    const row = await db.accessRequest.findUniqueOrThrow({ where: { id: routedElsewhere.id } });
    await db.accessRequest.update({
      where: { id: routedElsewhere.id },
      data: { policy: { ...(row.policy as object), approverGroupIds: [ADMINS] } },
    });

    const approver = await contextFor("p01@contoso.com");
    await expect(loadRequestView(routedElsewhere.id, approver.viewer)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const recent = await recentRequestsOnCluster(approver.viewer, requester.viewer.id, "aks-prod-weu", routedHere.id);
    expect(recent.map((r) => r.id)).not.toContain(routedElsewhere.id);
    // An auditor sees all of them.
    const auditorView = await loadRequestView(routedElsewhere.id, (await contextFor("aud01@contoso.com")).viewer);
    expect(auditorView.id).toBe(routedElsewhere.id);

    // Minutes after any refusal of p01 an earlier test file recorded (one per kind a minute).
    clockAt(Date.now(), 5 * 60_000);
    const since = new Date();
    await expect(
      callApi(approveRoute.POST, `/api/v1/requests/${routedElsewhere.id}/approve`, await bearer("p01@contoso.com"), {
        body: { comment: "ok" },
        params: { id: routedElsewhere.id },
      }),
    ).resolves.toMatchObject({ status: 404 });
    const refused = (await refusals("p01@contoso.com", since)).filter((e) => e.subjectId === routedElsewhere.id);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.data).toMatchObject({ kind: "request.decide", permission: "request.approve" });
  });
});
