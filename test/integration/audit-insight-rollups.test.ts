import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { failActivation } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { requestAccess } from "@/lib/access/request-access";
import { auditInsights } from "@/lib/audit/insights";
import type { ActionContext } from "@/lib/context";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { takeQueuedJobs } from "../support/jobs";
import { recordStep } from "../support/request-steps";
import { contextFor } from "../support/users";

/**
 * The charts read closed days from rollups (lib/audit/insights-rollups.ts) and the current day live.
 * Guards against rollups that drift from the history: every figure must equal the live query's (the
 * charts asked with a `now` before the window, so that no day of it is closed), after the first
 * rollup, after a late event lands on a rolled-up day, and with today's events in the window.
 */

const DAY = 24 * 3_600_000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const at = (day: number, time: string) => new Date(today + day * DAY + Date.parse(`1970-01-01T${time}Z`));
const isoDay = (day: number) => new Date(today + day * DAY).toISOString().slice(0, 10);
const window = { from: isoDay(-4), to: isoDay(0) };
/** A `now` before the window: every day of it is read live, as before the rollups. */
const beforeWindow = new Date(today - 10 * DAY);

const prodAdmin = { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", ticket: "INC12345" };
const prodNode = { ...prodAdmin, role: "node-access" };
const devAdmin = { cluster: "aks-dev-weu", role: "admin", duration: "PT1H" };

const users: Record<"n01" | "n02" | "p01" | "aud01", ActionContext> = {} as never;
const as = (who: keyof typeof users, now: Date): ActionContext => ({
  ...users[who],
  now,
  origin: { ...users[who].origin, correlationId: randomUUID() },
});

async function fileApproveActivate(
  input: Parameters<typeof requestAccess>[0],
  times: { filed: Date; approved?: Date; activated: Date },
  failure?: string,
) {
  const request = await requestAccess({ justification: "Rollup test", ...input }, as("n01", times.filed));
  if (times.approved) await approveRequest(request.id, { comment: "ok" }, as("p01", times.approved));
  expect(await takeQueuedJobs(QUEUES.activate, request.id)).toHaveLength(1);
  await recordStep(request.id, { type: "begin_activation" }, times.activated);
  if (failure) return failActivation(request.id, times.activated, "test", failure);
  await recordStep(request.id, { type: "activation_succeeded" }, times.activated);
  await recordStep(request.id, { type: "expire" }, new Date(times.activated.getTime() + 3_600_000));
}

const rolledUpDays = async () =>
  (await db.auditInsightDay.findMany({ orderBy: { day: "asc" } })).map((d) => ({
    day: d.day.toISOString().slice(0, 10),
    rolledUpAt: d.rolledUpAt,
  }));

beforeAll(async () => {
  for (const upn of ["n01", "n02", "p01", "aud01"] as const) users[upn] = await contextFor(`${upn}@contoso.com`);
  // Earlier today (at most ten minutes back, never before midnight), in order.
  const base = Math.max(today, Date.now() - 10 * 60_000);
  const earlier = (share: number) => new Date(base + share * (Date.now() - base));
  // Closed days: approvals after 7, 25, 90 and 240 minutes, across clusters and roles, a failure.
  await fileApproveActivate(prodAdmin, {
    filed: at(-4, "09:00:00"),
    approved: at(-4, "09:07:00"),
    activated: at(-4, "09:08:00"),
  });
  await fileApproveActivate(prodNode, {
    filed: at(-3, "22:00:00"),
    approved: at(-3, "22:25:00"),
    activated: at(-2, "00:01:00"),
  });
  await fileApproveActivate(prodAdmin, {
    filed: at(-2, "10:00:00"),
    approved: at(-2, "11:30:00"),
    activated: at(-2, "11:31:00"),
  });
  await fileApproveActivate(devAdmin, { filed: at(-1, "07:00:00"), activated: at(-1, "07:01:00") });
  await fileApproveActivate(
    prodAdmin,
    { filed: at(-1, "08:00:00"), approved: at(-1, "12:00:00"), activated: at(-1, "12:02:00") },
    "ARM refused the role assignment (HTTP 403)",
  );
  // Today, read live: filed a few minutes ago.
  await fileApproveActivate(prodAdmin, { filed: earlier(0), approved: earlier(0.5), activated: earlier(0.6) });
}, 120_000);

describe("audit insights from rollups", () => {
  it("shows what the live query shows, with closed days rolled up and today read live", async () => {
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights).toEqual(await auditInsights(users.aud01.viewer, window, beforeWindow));
    expect(insights.activations.total).toBe(5);
    expect(insights.approvalTimes.overall).toMatchObject({ approvals: 5 });
    expect((await rolledUpDays()).map((d) => d.day)).toEqual([isoDay(-4), isoDay(-3), isoDay(-2), isoDay(-1)]);
    // The closed days' figures are the rollups' (a changed count shows), today's are not stored.
    await db.$executeRaw`UPDATE audit_activation_days SET count = count + 100 WHERE day = ${isoDay(-4)}::date`;
    expect((await auditInsights(users.aud01.viewer, window)).activations.total).toBe(105);
    await db.$executeRaw`UPDATE audit_activation_days SET count = count - 100 WHERE day = ${isoDay(-4)}::date`;
  });

  it("rolls up again a day whose rollup went stale: an event recorded later but dated on that day", async () => {
    const before = await rolledUpDays();
    // A transaction that began on day -2 and committed after the rollup, as one spanning midnight would.
    await fileApproveActivate(prodNode, {
      filed: at(-2, "15:00:00"),
      approved: at(-2, "15:45:00"),
      activated: at(-2, "15:46:00"),
    });
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights).toEqual(await auditInsights(users.aud01.viewer, window, beforeWindow));
    expect(insights.activations.total).toBe(6);
    expect(insights.approvalTimes.overall).toMatchObject({ approvals: 6 });
    const after = await rolledUpDays();
    // Only the stale day was rolled up again.
    expect(after.map((d) => d.rolledUpAt > before.find((b) => b.day === d.day)!.rolledUpAt)).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it("counts today's new events at once, and a window without closed days stores nothing new", async () => {
    const rolled = await rolledUpDays();
    await fileApproveActivate(devAdmin, { filed: new Date(Date.now() - 60_000), activated: new Date() });
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights).toEqual(await auditInsights(users.aud01.viewer, window, beforeWindow));
    expect(insights.activations.total).toBe(7);
    const todayOnly = await auditInsights(users.aud01.viewer, { from: isoDay(0), to: isoDay(0) });
    expect(todayOnly.activations.total).toBe(2);
    expect(await rolledUpDays()).toEqual(rolled);
  });
});
