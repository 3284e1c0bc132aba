import { describe, expect, it } from "vitest";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { denyRequest } from "@/lib/access/deny-request";
import { requestAccess } from "@/lib/access/request-access";
import { timeOutPendingRequests } from "@/lib/access/time-out-requests";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { contextFor } from "../support/users";

/** The request workflow through the use cases, against PostgreSQL, pg-boss and the emulator's Graph. */

const prodAdmin = {
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Rotate the ingress certificate",
  ticket: "INC12345",
};

async function auditTrail(requestId: string) {
  const events = await db.auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
  return events.map((e) => {
    const data = e.data as { from: string | null; to: string; actorKind: string };
    return [e.type, data.from, data.to, data.actorKind, e.actorUpn];
  });
}

async function activateJobs(requestId: string) {
  const rows = await db.$queryRaw<
    Array<{ state: string }>
  >`SELECT state FROM pgboss.job WHERE name = 'activate' AND data->>'requestId' = ${requestId}`;
  return rows.map((r) => r.state);
}

async function expectAppError(promise: Promise<unknown>, code: string, message?: string | RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).userMessage).toMatch(message);
  return error as AppError;
}

describe("requesting and approving access", () => {
  it("n01 files a prod admin request, p01 approves it and the activation is queued; a second decision is a conflict", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    expect(request).toMatchObject({
      status: "pending",
      clusterName: "aks-prod-weu",
      roleName: "admin",
      durationMinutes: 60,
      ticket: "INC12345",
    });
    expect(await activateJobs(request.id)).toEqual([]);

    await expectAppError(approveRequest(request.id, {}, n01), "FORBIDDEN");

    const p01 = await contextFor("p01@contoso.com");
    const approved = await approveRequest(request.id, { comment: "go ahead" }, p01);
    expect(approved.status).toBe("approved");
    expect(await activateJobs(request.id)).toEqual(["created"]);

    const n02 = await contextFor("n02@contoso.com");
    await expectAppError(approveRequest(request.id, {}, n02), "CONFLICT", /approved/);
    await expectAppError(denyRequest(request.id, { comment: "too late" }, n02), "CONFLICT");

    expect(await auditTrail(request.id)).toEqual([
      ["request.created", null, "pending", "user", "n01@contoso.com"],
      ["request.approved", "pending", "approved", "user", "p01@contoso.com"],
    ]);
    const created = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.created" } });
    expect(created.data).toMatchObject({
      ip: "203.0.113.7",
      userAgent: "vitest",
      policy: { approvalsRequired: 1, maxDurationMinutes: 480 },
    });
    expect(created.correlationId).toBe(n01.origin.correlationId);
  });

  it("refuses self-approval even from an approver (n02)", async () => {
    const n02 = await contextFor("n02@contoso.com");
    const request = await requestAccess(prodAdmin, n02);
    await expectAppError(approveRequest(request.id, {}, n02), "FORBIDDEN", /your own request/);
    expect(await db.decision.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("denies with a comment only, and the requester can no longer cancel", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    await expectAppError(denyRequest(request.id, { comment: " " }, p01), "INVALID_INPUT", /Say why/);
    expect((await denyRequest(request.id, { comment: "Use the read-only role" }, p01)).status).toBe("denied");
    await expectAppError(cancelRequest(request.id, n01), "CONFLICT");
    expect(await activateJobs(request.id)).toEqual([]);
  });

  it("lets the requester cancel a pending request, and nobody else", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    await expectAppError(cancelRequest(request.id, await contextFor("p01@contoso.com")), "NOT_FOUND");
    expect((await cancelRequest(request.id, n01, { comment: "Fixed without access" })).status).toBe("cancelled");
    const cancelled = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "request.cancelled" },
    });
    expect(cancelled.data).toMatchObject({
      comment: "Fixed without access",
      actorKind: "user",
      from: "pending",
      to: "cancelled",
    });
  });

  it.each([
    ["a duration over the maximum", { duration: "PT9H" }, "duration", /longer than this role allows/],
    ["a malformed duration", { duration: "1 hour" }, "duration", /ISO 8601/],
    ["a missing ticket", { ticket: "" }, "ticket", /ticket is required/],
    ["a malformed ticket", { ticket: "JIRA-7" }, "ticket", /INC|CHG/],
    ["a missing justification", { justification: "" }, "justification", /justification is required/],
    ["an unknown cluster", { cluster: "aks-nowhere" }, "cluster", /aks-prod-weu/],
    ["an unknown role", { role: "owner" }, "role", /admin, node-access/],
  ])("refuses %s with 400, says what to fix and stores nothing", async (_case, override, field, message) => {
    const before = await db.accessRequest.count();
    const error = await expectAppError(
      requestAccess({ ...prodAdmin, ...override }, await contextFor("n01@contoso.com")),
      "INVALID_INPUT",
    );
    expect(error.fields.find((f) => f.field === field)?.message).toMatch(message);
    expect(await db.accessRequest.count()).toBe(before);
  });

  it("refuses a requester outside the eligible groups with 403", async () => {
    const before = await db.accessRequest.count();
    await expectAppError(
      requestAccess(prodAdmin, await contextFor("aud01@contoso.com")),
      "FORBIDDEN",
      /not in a group/,
    );
    expect(await db.accessRequest.count()).toBe(before);
  });

  it("approves a dev request by policy, recorded as the policy, and queues its activation", async () => {
    const request = await requestAccess(
      { cluster: "aks-dev-weu", role: "admin", duration: "PT2H", justification: "Debug a failing rollout" },
      await contextFor("n01@contoso.com"),
    );
    expect(request.status).toBe("approved");
    expect(await auditTrail(request.id)).toEqual([
      ["request.created", null, "pending", "user", "n01@contoso.com"],
      ["request.approved", "pending", "approved", "policy", null],
    ]);
    expect(await activateJobs(request.id)).toEqual(["created"]);
  });

  it("approves break-glass at once where allowed, flagged, and requires its reason", async () => {
    const n01 = await contextFor("n01@contoso.com");
    await expectAppError(
      requestAccess({ ...prodAdmin, justification: "", breakGlass: true }, n01),
      "INVALID_INPUT",
      /reason/,
    );
    const request = await requestAccess(
      { ...prodAdmin, justification: "Prod is down, P1 incident", breakGlass: true },
      n01,
    );
    expect(request).toMatchObject({ status: "approved", isBreakGlass: true });
    const approved = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "request.approved" },
    });
    expect(approved.data).toMatchObject({ actorKind: "policy", reason: "break_glass" });
    await expectAppError(
      requestAccess({ ...prodAdmin, role: "node-access", breakGlass: true }, n01),
      "INVALID_INPUT",
      /Break-glass is not allowed/,
    );
  });

  it("times out a pending request past its timeout without anyone acting", async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3_600_000);
    const request = await requestAccess(prodAdmin, await contextFor("n01@contoso.com", twoDaysAgo));
    expect(await timeOutPendingRequests(new Date())).toBeGreaterThanOrEqual(1);
    expect(await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      status: "timed_out",
    });
    expect((await auditTrail(request.id)).at(-1)).toEqual([
      "request.timed_out",
      "pending",
      "timed_out",
      "system",
      null,
    ]);
    expect(await timeOutPendingRequests(new Date())).toBe(0);
  });

  it("counts each approver once and hands off once under 20 concurrent approvals", async () => {
    const request = await requestAccess(
      { ...prodAdmin, cluster: "aks-quorum-test" },
      await contextFor("n01@contoso.com"),
    );
    expect(request.approvalsRequired).toBe(2);
    const approvers = [await contextFor("p01@contoso.com"), await contextFor("n02@contoso.com")];
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => approveRequest(request.id, {}, approvers[i % 2]!)),
    );

    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).code).toBe("CONFLICT");
    const decisions = await db.decision.findMany({ where: { requestId: request.id }, include: { decider: true } });
    expect(decisions.map((d) => d.decider.userPrincipalName).sort()).toEqual(["n02@contoso.com", "p01@contoso.com"]);
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("approved");
    expect(await activateJobs(request.id)).toEqual(["created"]);
    expect((await auditTrail(request.id)).map(([type]) => type)).toEqual([
      "request.created",
      "request.approval_added",
      "request.approved",
    ]);
  });
});
