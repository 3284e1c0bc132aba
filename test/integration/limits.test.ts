import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as fileRequest } from "@/app/api/v1/requests/route";
import { GET as listRequests } from "@/app/api/v1/requests/route";
import { NextRequest } from "next/server";
import { GET as signIn } from "@/app/auth/sign-in/route";
import { formStateFromError } from "@/lib/form-action";
import { exportAuditEvents } from "@/lib/audit/export";
import { cancelRequest } from "@/lib/access/cancel-request";
import { listApprovableRequestsPage } from "@/lib/access/request-queries";
import { requestAccess } from "@/lib/access/request-access";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { createRateLimiter, prismaStoreClient } from "@/lib/limits/rate-limit";
import { callApi, session } from "../support/api";
import { contextFor, sessionUser } from "../support/users";

/**
 * Rate limits and quotas on filing, and the approvals inbox under a flood. Regression: one engineer
 * filed 1,000 requests in 55 s (all accepted), identical pending requests were accepted silently,
 * and a real request filed after a flood was missing from the approvers' inbox, which read the 200
 * oldest pending requests of every group and filtered them in memory.
 */

const nodeAccess = {
  cluster: "aks-prod-weu",
  role: "node-access",
  duration: "PT1H",
  justification: "Collect kubelet logs from a failing node",
  ticket: "INC20001",
};

/** The suites run with the limits raised (test/support/stack.ts): these tests set their own. */
type Settings = Partial<
  Pick<
    typeof env,
    | "RATE_LIMIT_REQUESTS"
    | "RATE_LIMIT_EXPORTS"
    | "RATE_LIMIT_SIGN_IN"
    | "MAX_OPEN_REQUESTS_PER_ROLE"
    | "REFUSE_DUPLICATE_REQUESTS"
  >
>;
let saved: Settings = {};
function use(settings: Settings) {
  saved = { ...Object.fromEntries(Object.keys(settings).map((k) => [k, env[k as keyof Settings]])), ...saved };
  Object.assign(env, settings);
}
afterEach(() => {
  Object.assign(env, saved);
  saved = {};
});

/** The requester's open node-access requests from earlier files would count against these quotas. */
async function withoutOpenRequests(userPrincipalName: string) {
  const user = await sessionUser(userPrincipalName);
  await db.accessRequest.updateMany({
    where: { requesterId: user.id, clusterName: nodeAccess.cluster, roleName: nodeAccess.role, status: "pending" },
    data: { status: "cancelled" },
  });
  return user;
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("rate limits", () => {
  beforeEach(async () => {
    await db.$executeRaw`DELETE FROM rate_limits`;
  });

  it("answers a burst over the filing limit with 429, Retry-After and a time to try again, and stores nothing", async () => {
    use({ RATE_LIMIT_REQUESTS: { points: 3, durationSeconds: 600 } });
    const requester = await withoutOpenRequests("n01@contoso.com");
    const credentials = await session("n01@contoso.com");
    const n01 = await contextFor("n01@contoso.com");
    for (let i = 0; i < 3; i++) {
      const filed = await callApi(fileRequest, "/api/v1/requests", credentials, { body: nodeAccess });
      expect(filed.status).toBe(201);
      // Not pending any more, so that the next one is no duplicate: only the rate limit can refuse it.
      await cancelRequest(filed.json.id, n01);
    }
    const rowsBefore = await db.accessRequest.count({ where: { requesterId: requester.id } });
    const eventsBefore = await db.auditEvent.count();

    const refused = await callApi(fileRequest, "/api/v1/requests", credentials, { body: nodeAccess });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMITED");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(refused.json.error.message).toMatch(
      /at most 3 per 10 minutes\. Try again in \d+ (seconds|minutes) \(at \d\d:\d\d:\d\d UTC\)/,
    );

    // The dashboard's form shows the same words (the server action shapes the error with formStateFromError).
    const error = await refusal(requestAccess(nodeAccess, n01));
    expect(error.code).toBe("RATE_LIMITED");
    expect(formStateFromError(error, "ref").message).toMatch(/Try again in/);

    expect(await db.accessRequest.count({ where: { requesterId: requester.id } })).toBe(rowsBefore);
    expect(await db.auditEvent.count()).toBe(eventsBefore);
  });

  it("limits audit exports per person, before the export is recorded", async () => {
    use({ RATE_LIMIT_EXPORTS: { points: 1, durationSeconds: 60 } });
    const auditor = await contextFor("aud01@contoso.com");
    await (await exportAuditEvents(auditor, {}, "csv")).cancel();
    const exported = await db.auditEvent.count({ where: { type: "audit.exported" } });
    const error = await refusal(exportAuditEvents(auditor, {}, "csv"));
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(await db.auditEvent.count({ where: { type: "audit.exported" } })).toBe(exported);
  });

  it("limits sign-ins started from one address with 429 and Retry-After", async () => {
    use({ RATE_LIMIT_SIGN_IN: { points: 2, durationSeconds: 60 } });
    const start = () =>
      signIn(
        new NextRequest(new URL("/auth/sign-in?returnTo=/access", env.APP_URL), {
          headers: { "x-forwarded-for": "198.51.100.9" },
        }),
      );
    expect((await start()).status).toBe(302);
    expect((await start()).status).toBe(302);
    const refused = await start();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/Too many sign-ins .* Try again in/);
    expect(refused.headers.get("set-cookie")).toBeNull();
  });

  it("holds across replicas: two limiters on the same table share one count", async () => {
    const setting = { points: 5, durationSeconds: 60 };
    // Each with its own Prisma client and pool, as two app processes would have.
    const { PrismaClient } = await import("@/lib/db/generated/client");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const other = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL, max: 2 }) });
    try {
      const replicas = [
        createRateLimiter("request.file", setting),
        createRateLimiter("request.file", setting, prismaStoreClient(other)),
      ];
      const key = randomUUID();
      const attempts = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => replicas[i % 2]!.consume(key)));
      expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(5);
      expect(attempts.filter((a) => a.status === "rejected")).toHaveLength(7);
    } finally {
      await other.$disconnect();
    }
  });
});

describe("quotas on open requests", () => {
  it("refuses an identical pending request with 409 and a link to the existing one", async () => {
    use({ REFUSE_DUPLICATE_REQUESTS: true });
    await withoutOpenRequests("n02@contoso.com");
    const n02 = await contextFor("n02@contoso.com");
    const first = await requestAccess(nodeAccess, n02);
    const credentials = await session("n02@contoso.com");
    const eventsBefore = await db.auditEvent.count();

    const again = await callApi(fileRequest, "/api/v1/requests", credentials, {
      body: { ...nodeAccess, justification: "Same again", duration: "PT2H" },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("CONFLICT");
    expect(again.json.error.link).toEqual({ href: `/requests/${first.id}`, label: "Open the pending request" });
    expect(again.json.error.message).toMatch(/already have a pending request/);
    expect(await db.auditEvent.count()).toBe(eventsBefore);

    // Another time that does not overlap is another request.
    const later = await requestAccess(
      { ...nodeAccess, startAt: new Date(Date.now() + 3 * 3600_000).toISOString() },
      n02,
    );
    expect(later.id).not.toBe(first.id);
    await cancelRequest(first.id, n02);
    await cancelRequest(later.id, n02);
  });

  it("refuses the same filing sent twice within a minute (a double-click), ticket in any case, pointing at the first", async () => {
    use({ REFUSE_DUPLICATE_REQUESTS: true });
    const requester = await withoutOpenRequests("n02@contoso.com");
    const n02 = await contextFor("n02@contoso.com");
    const first = await requestAccess({ ...nodeAccess, ticket: "INC20009" }, n02);
    expect(first.ticket).toBe("INC20009");
    const rowsBefore = await db.accessRequest.count({ where: { requesterId: requester.id } });

    const again = await callApi(fileRequest, "/api/v1/requests", await session("n02@contoso.com"), {
      body: { ...nodeAccess, ticket: " inc20009 " },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/filed this same request .* a moment ago; it was not filed twice/);
    expect(again.json.error.link).toEqual({ href: `/requests/${first.id}`, label: "Open your request" });
    expect(await db.accessRequest.count({ where: { requesterId: requester.id } })).toBe(rowsBefore);
    await cancelRequest(first.id, n02);
  });

  // Guards against the per-(person, cluster, role) lock and the read of open requests drifting apart
  // (a read whose snapshot predates the lock would miss the filing that held it): sent at once, the
  // same filing is stored once.
  it("stores one of the same filing sent eight times at once and refuses the others", async () => {
    use({ REFUSE_DUPLICATE_REQUESTS: true });
    const requester = await withoutOpenRequests("n02@contoso.com");
    const n02 = await contextFor("n02@contoso.com");
    const rowsBefore = await db.accessRequest.count({ where: { requesterId: requester.id } });

    const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => requestAccess(nodeAccess, n02)));
    const filed = attempts.filter((a) => a.status === "fulfilled");
    expect(filed).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === "rejected"))
      expect(attempt.reason).toMatchObject({ code: "CONFLICT" });
    expect(await db.accessRequest.count({ where: { requesterId: requester.id } })).toBe(rowsBefore + 1);
    await cancelRequest((filed[0] as PromiseFulfilledResult<{ id: string }>).value.id, n02);
  });

  it("refuses a request over the cap of open requests per role", async () => {
    use({ MAX_OPEN_REQUESTS_PER_ROLE: 2, REFUSE_DUPLICATE_REQUESTS: true });
    const requester = await withoutOpenRequests("n02@contoso.com");
    const n02 = await contextFor("n02@contoso.com");
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const first = await requestAccess({ ...nodeAccess, startAt: inDays(1) }, n02);
    const second = await requestAccess({ ...nodeAccess, startAt: inDays(2) }, n02);
    const rowsBefore = await db.accessRequest.count({ where: { requesterId: requester.id } });

    const error = await refusal(requestAccess({ ...nodeAccess, startAt: inDays(3) }, n02));
    expect(error.code).toBe("CONFLICT");
    expect(error.status).toBe(409);
    expect(error.userMessage).toMatch(/2 open requests for node-access on aks-prod-weu, the most allowed/);
    expect(await db.accessRequest.count({ where: { requesterId: requester.id } })).toBe(rowsBefore);

    await cancelRequest(first.id, n02);
    const third = await requestAccess({ ...nodeAccess, startAt: inDays(3) }, n02);
    await cancelRequest(second.id, n02);
    await cancelRequest(third.id, n02);
  });
});

describe("the approvals inbox", () => {
  it("shows a request routed to the approver after 300 pending requests of other groups, newest first, paged", async () => {
    const requester = await sessionUser("n01@contoso.com");
    const otherGroup = randomUUID();
    const policy = { approverGroupIds: [otherGroup], approvalsRequired: 1 };
    const floodStart = Date.now() - 3600_000;
    // The flood is filed first: what an inbox of "the oldest 200 pending, then filter" would read.
    const flood = await db.accessRequest.createManyAndReturn({
      data: Array.from({ length: 300 }, (_, i) => ({
        requesterId: requester.id,
        clusterName: "aks-prod-weu",
        roleName: "cluster-admin",
        status: "pending",
        durationMinutes: 60,
        justification: `flood ${i}`,
        approvalsRequired: 1,
        pendingExpiresAt: new Date(Date.now() + 86_400_000),
        policy,
        approverGroupIds: [otherGroup],
        createdAt: new Date(floodStart + i),
        updatedAt: new Date(floodStart + i),
      })),
      select: { id: true },
    });
    try {
      await withoutOpenRequests("n01@contoso.com");
      const real = await requestAccess(nodeAccess, await contextFor("n01@contoso.com"));
      const approver = await sessionUser("p01@contoso.com");

      const inbox = await listApprovableRequestsPage(approver);
      expect(inbox.requests[0]?.id).toBe(real.id);
      expect(inbox.requests.every((r) => r.canDecide || r.requester.id === approver.id)).toBe(true);
      expect(inbox.requests.map((r) => r.justification)).not.toContain("flood 0");

      // Through the API too, with its paging.
      const listed = await callApi(
        listRequests,
        "/api/v1/requests?scope=approvable&page=1",
        await session("p01@contoso.com"),
      );
      expect(listed.status).toBe(200);
      expect(listed.json.requests.map((r: { id: string }) => r.id)).toContain(real.id);
      expect(listed.json).toMatchObject({ page: 1, pageSize: 50 });

      // Every page together lists each pending request routed to p01 once, newest first.
      const ids: string[] = [];
      for (let page = 1; ; page++) {
        const next = await listApprovableRequestsPage(approver, { page, pageSize: 7 });
        ids.push(...next.requests.map((r) => r.id));
        if (!next.hasNextPage) break;
      }
      const routed = await db.accessRequest.findMany({
        where: { status: "pending", approverGroupIds: { hasSome: approver.groupIds } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true },
      });
      expect(ids).toEqual(routed.map((r) => r.id));
      await cancelRequest(real.id, await contextFor("n01@contoso.com"));
    } finally {
      await db.accessRequest.deleteMany({ where: { id: { in: flood.map((f) => f.id) } } });
    }
  });
});
