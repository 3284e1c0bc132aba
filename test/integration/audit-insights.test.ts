import { randomInt, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { failActivation } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import type { ActionContext } from "@/lib/context";
import { requestAccess } from "@/lib/access/request-access";
import { auditInsights } from "@/lib/audit/insights";
import { AppError } from "@/lib/errors";
import { QUEUES } from "@/lib/jobs/queues";
import { takeQueuedJobs } from "../support/jobs";
import { recordStep } from "../support/request-steps";
import { contextFor } from "../support/users";

/**
 * The auditor's charts against PostgreSQL, over requests filed and decided through the real use cases
 * on three known UTC days: activations per day by cluster and role, the median and 90th percentile
 * time to approval (people's approvals only), break-glass uses, failed activations, the window's
 * edges, and who may not see them.
 */

const DAY = 24 * 3_600_000;
// Days of their own, years back, so that no other test's requests (filed now) fall into the window.
const d0 = Date.UTC(2001 + randomInt(0, 20), 0, 1) + randomInt(0, 300) * DAY;
const at = (day: number, time: string) => new Date(d0 + day * DAY + Date.parse(`1970-01-01T${time}Z`));
const isoDay = (day: number) => new Date(d0 + day * DAY).toISOString().slice(0, 10);
const window = { from: isoDay(0), to: isoDay(2) };

const prodAdmin = { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", ticket: "INC12345" };
const prodNode = { ...prodAdmin, role: "node-access" };
const quorumAdmin = { ...prodAdmin, cluster: "aks-quorum-test" };
const devAdmin = { cluster: "aks-dev-weu", role: "admin", duration: "PT1H" };

const users: Record<"n01" | "n02" | "p01" | "aud01" | "adm01", ActionContext> = {} as never;
const as = (who: keyof typeof users, now: Date): ActionContext => ({
  ...users[who],
  now,
  origin: { ...users[who].origin, correlationId: randomUUID() },
});
const ids: Record<string, string> = {};

/** Files a request; the activation its approval queues is taken off the queue, for `activate` to stand in for. */
async function file(name: string, input: Parameters<typeof requestAccess>[0], who: "n01" | "n02", now: Date) {
  const request = await requestAccess({ justification: `Insights test ${name}`, ...input }, as(who, now));
  ids[name] = request.id;
  return request.id;
}

async function approve(name: string, who: "p01" | "n02", now: Date) {
  await approveRequest(ids[name]!, { comment: "ok" }, as(who, now));
}

/**
 * The activation job's events without Entra ID and ARM (which refuse access periods years in the past):
 * activating, then active (ended an hour later, so that nothing of this file stays active) or failed.
 */
async function activate(name: string, now: Date, failure?: string) {
  const requestId = ids[name]!;
  expect(await takeQueuedJobs(QUEUES.activate, requestId)).toHaveLength(1);
  await recordStep(requestId, { type: "begin_activation" }, now);
  if (failure) return failActivation(requestId, now, "test", failure);
  await recordStep(requestId, { type: "activation_succeeded" }, now);
  await recordStep(requestId, { type: "expire" }, new Date(now.getTime() + 3_600_000));
}

beforeAll(async () => {
  for (const upn of ["n01", "n02", "p01", "aud01", "adm01"] as const)
    users[upn] = await contextFor(`${upn}@contoso.com`);

  // Inside the window (days 0 to 2). Prod approvals after 10, 30, 60 and 120 minutes.
  await file("prod1", prodAdmin, "n01", at(0, "09:00:00"));
  await approve("prod1", "p01", at(0, "09:10:00"));
  await activate("prod1", at(0, "09:11:00"));
  await file("prod2", prodNode, "n01", at(0, "10:00:00"));
  await approve("prod2", "p01", at(0, "10:30:00"));
  await activate("prod2", at(1, "00:05:00"));
  await file("prod3", prodAdmin, "n02", at(1, "08:00:00"));
  await approve("prod3", "p01", at(1, "09:00:00"));
  await activate("prod3", at(1, "09:01:00"));
  // Filed the day before, approved and activated at the window's first instant: counted.
  await file("prodEdge", prodAdmin, "n02", at(-1, "22:00:00"));
  await approve("prodEdge", "p01", at(0, "00:00:00"));
  await activate("prodEdge", at(0, "00:00:00"));
  // Two approvals needed: the time runs to the second one; then the activation fails.
  await file("quorum", quorumAdmin, "n01", at(1, "12:00:00"));
  await approve("quorum", "p01", at(1, "12:20:00"));
  await approve("quorum", "n02", at(1, "13:00:00"));
  await activate("quorum", at(1, "13:02:00"), "ARM refused the role assignment (HTTP 403)");
  // Approved by policy at once: activations count them, the approval times do not.
  await file("dev", devAdmin, "n02", at(2, "07:00:00"));
  await activate("dev", at(2, "07:01:00"));
  await file("breakGlass", { ...prodAdmin, breakGlass: true }, "n01", at(2, "08:00:00"));
  await activate("breakGlass", at(2, "08:01:00"));

  // Outside it: before day 0, and at the first instant after day 2.
  await file("before", prodAdmin, "n02", at(-1, "23:00:00"));
  await approve("before", "p01", at(-1, "23:30:00"));
  await activate("before", at(-1, "23:59:59.999"));
  await file("breakGlassBefore", { ...prodAdmin, breakGlass: true }, "n02", at(-1, "20:00:00"));
  await activate("breakGlassBefore", at(-1, "20:01:00"));
  await file("after", prodAdmin, "n01", at(2, "23:40:00"));
  await approve("after", "p01", at(3, "00:00:00"));
  await activate("after", at(3, "00:00:00"));
  await file("breakGlassAfter", { ...prodAdmin, breakGlass: true }, "n01", at(3, "00:00:00"));
  await activate("breakGlassAfter", at(3, "00:01:00"));
  await file("devAfter", devAdmin, "n02", at(2, "23:59:00"));
  await activate("devAfter", at(3, "00:00:00"), "Entra ID failed temporarily (HTTP 500)");
}, 120_000);

const minutes = (n: number) => n * 60;

describe("audit insights", () => {
  it("counts activations per UTC day by cluster and role, inside the window only", async () => {
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights.window).toEqual({ ...window, days: [isoDay(0), isoDay(1), isoDay(2)] });
    expect(insights.activations).toEqual({
      total: 6,
      series: [
        { key: { clusterName: "aks-prod-weu", roleName: "admin" }, total: 4, perDay: [2, 1, 1] },
        { key: { clusterName: "aks-dev-weu", roleName: "admin" }, total: 1, perDay: [0, 0, 1] },
        { key: { clusterName: "aks-prod-weu", roleName: "node-access" }, total: 1, perDay: [0, 1, 0] },
      ],
    });
  });

  it("computes the median and 90th percentile time to approval per cluster, without policy approvals", async () => {
    const { approvalTimes } = await auditInsights(users.aud01.viewer, window);
    // prod: 10, 30, 60 and 120 minutes; quorum: 60 (to its second approval); dev and break-glass left out.
    expect(approvalTimes.clusters).toEqual([
      { clusterName: "aks-prod-weu", approvals: 4, medianSeconds: minutes(45), p90Seconds: minutes(102) },
      { clusterName: "aks-quorum-test", approvals: 1, medianSeconds: minutes(60), p90Seconds: minutes(60) },
    ]);
    expect(approvalTimes.overall).toEqual({
      clusterName: null,
      approvals: 5,
      medianSeconds: minutes(60),
      p90Seconds: minutes(96),
    });
  });

  it("lists break-glass uses and failed activations with their requests", async () => {
    const { breakGlass, failedActivations } = await auditInsights(users.aud01.viewer, window);
    expect(breakGlass).toEqual({
      total: 1,
      perDay: [0, 0, 1],
      uses: [
        {
          requestId: ids.breakGlass,
          requestedAt: at(2, "08:00:00"),
          requesterUpn: "n01@contoso.com",
          requesterName: users.n01.viewer.displayName,
          clusterName: "aks-prod-weu",
          roleName: "admin",
          status: "expired",
          justification: "Insights test breakGlass",
        },
      ],
    });
    expect(failedActivations).toEqual({
      total: 1,
      perDay: [0, 1, 0],
      failures: [
        {
          requestId: ids.quorum,
          failedAt: at(1, "13:02:00"),
          requesterUpn: "n01@contoso.com",
          clusterName: "aks-quorum-test",
          roleName: "admin",
          reason: "ARM refused the role assignment (HTTP 403)",
        },
      ],
    });
  });

  it("narrows to one day, and defaults to the last 30 days", async () => {
    const one = await auditInsights(users.adm01.viewer, { from: isoDay(1), to: isoDay(1) });
    expect(one.activations.total).toBe(2);
    expect(one.approvalTimes.overall).toMatchObject({ approvals: 2, medianSeconds: minutes(60) });
    expect(one.breakGlass.total).toBe(0);
    expect(one.failedActivations.total).toBe(1);

    const recent = await auditInsights(users.aud01.viewer, {}, at(2, "12:00:00"));
    expect(recent.window.days).toHaveLength(30);
    expect(recent.window.to).toBe(isoDay(2));
    // The 30 days take in the day before too; the day after is still to come.
    expect(recent.activations.total).toBe(8);
  });

  it("is empty on days when nothing happened", async () => {
    const quiet = await auditInsights(users.aud01.viewer, { from: isoDay(-5), to: isoDay(-3) });
    expect(quiet).toEqual({
      window: { from: isoDay(-5), to: isoDay(-3), days: [isoDay(-5), isoDay(-4), isoDay(-3)] },
      activations: { total: 0, series: [] },
      approvalTimes: { overall: null, clusters: [] },
      breakGlass: { total: 0, perDay: [0, 0, 0], uses: [] },
      failedActivations: { total: 0, perDay: [0, 0, 0], failures: [] },
    });
  });

  it("refuses a window longer than 366 days", async () => {
    const error = await auditInsights(users.aud01.viewer, { from: "2024-01-01", to: "2025-01-01" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "from" }] });
  });

  it.each(["n01", "p01"] as const)("refuses %s, who is not an auditor or admin", async (who) => {
    const error = await auditInsights(users[who].viewer, window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("FORBIDDEN");
  });
});
