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
 * The charts read rollups by day (lib/audit/insights-rollups.ts), kept by their readers. Guards
 * against rollups that drift from the history: the figures are checked against the requests made
 * below (counts, medians), and must equal those of rollups made afresh from the whole history, after
 * the first rollup, after a late event lands on a rolled-up day, and after today's new events.
 */

const DAY = 24 * 3_600_000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const at = (day: number, time: string) => new Date(today + day * DAY + Date.parse(`1970-01-01T${time}Z`));
const isoDay = (day: number) => new Date(today + day * DAY).toISOString().slice(0, 10);
const window = { from: isoDay(-4), to: isoDay(0) };
const MINUTE = 60;

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

/** The charts from rollups made afresh: what incremental upkeep must match. */
async function fromFreshRollups(of = window) {
  await db.$executeRaw`DELETE FROM audit_insight_days`;
  await db.$executeRaw`DELETE FROM audit_insight_watermark`;
  return auditInsights(users.aud01.viewer, of);
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
  // Today: filed a few minutes ago.
  await fileApproveActivate(prodAdmin, { filed: earlier(0), approved: earlier(0.5), activated: earlier(0.6) });
}, 120_000);

describe("audit insights from rollups", () => {
  it("counts what happened, from rollups of every day of the window, today's included", async () => {
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights.activations.total).toBe(5);
    expect(insights.activations.series.map((s) => [s.key.clusterName, s.key.roleName, s.perDay])).toEqual(
      expect.arrayContaining([
        ["aks-prod-weu", "admin", [1, 0, 1, 0, 1]],
        ["aks-prod-weu", "node-access", [0, 0, 1, 0, 0]],
        ["aks-dev-weu", "admin", [0, 0, 0, 1, 0]],
      ]),
    );
    // Approvals after 7, 25, 90 and 240 minutes and today's (under ten minutes): the one without an
    // approver (aks-dev-weu) is not counted.
    expect(insights.approvalTimes.overall).toMatchObject({
      clusterName: null,
      approvals: 5,
      medianSeconds: 25 * MINUTE,
    });
    expect(insights.approvalTimes.clusters).toEqual([
      expect.objectContaining({ clusterName: "aks-prod-weu", approvals: 5, medianSeconds: 25 * MINUTE }),
    ]);
    expect(insights.approvalTimes.overall!.p90Seconds).toBeCloseTo(90 * MINUTE + 0.6 * 150 * MINUTE, 6);
    expect((await rolledUpDays()).map((d) => d.day)).toEqual([
      isoDay(-4),
      isoDay(-3),
      isoDay(-2),
      isoDay(-1),
      isoDay(0),
    ]);
    // The figures are the rollups' (a changed count shows).
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
    expect(insights.activations.total).toBe(6);
    expect(insights.approvalTimes.overall).toMatchObject({ approvals: 6 });
    const after = await rolledUpDays();
    // Only the stale day was rolled up again.
    expect(after.map((d) => d.rolledUpAt > before.find((b) => b.day === d.day)!.rolledUpAt)).toEqual([
      false,
      false,
      true,
      false,
      false,
    ]);
    expect(insights).toEqual(await fromFreshRollups());
  });

  it("counts today's new events at once: the current day's rollup goes stale and is made again", async () => {
    const rolled = await rolledUpDays();
    await fileApproveActivate(devAdmin, { filed: new Date(Date.now() - 60_000), activated: new Date() });
    const todayOnly = await auditInsights(users.aud01.viewer, { from: isoDay(0), to: isoDay(0) });
    expect(todayOnly.activations.total).toBe(2);
    const after = await rolledUpDays();
    expect(after.map((d) => d.rolledUpAt > rolled.find((b) => b.day === d.day)!.rolledUpAt)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    const insights = await auditInsights(users.aud01.viewer, window);
    expect(insights.activations.total).toBe(7);
    expect(insights).toEqual(await fromFreshRollups());
  });

  it("reads closed months' approvals packed and sorted, as if every delay were sorted, and packs a month again after a late approval", async () => {
    const wide = { from: isoDay(-100), to: isoDay(0) };
    await fileApproveActivate(prodAdmin, {
      filed: at(-70, "09:00:00"),
      approved: at(-70, "09:03:00"),
      activated: at(-70, "09:04:00"),
    });
    await fileApproveActivate(prodNode, {
      filed: at(-40, "09:00:00"),
      approved: at(-40, "14:00:00"),
      activated: at(-40, "14:01:00"),
    });
    const exact = async () => {
      const [row] = await db.$queryRaw<Array<{ approvals: number; percentiles: number[] }>>`
        SELECT count(*)::int AS approvals,
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY delay_us) AS percentiles
        FROM audit_approval_delays WHERE day >= ${wide.from}::date AND day <= ${wide.to}::date`;
      return {
        approvals: row!.approvals,
        medianSeconds: row!.percentiles[0]! / 1e6,
        p90Seconds: row!.percentiles[1]! / 1e6,
      };
    };
    const insights = await auditInsights(users.aud01.viewer, wide);
    expect(insights.approvalTimes.overall).toEqual({ clusterName: null, ...(await exact()) });
    // Two or three closed months lie inside the window; the one of day -70 is among them, packed.
    const packed = await db.auditApprovalDelayMonth.findMany({ orderBy: { month: "asc" } });
    const monthOf = (day: number) => `${isoDay(day).slice(0, 7)}-01`;
    const month70 = packed.find((row) => row.month.toISOString().slice(0, 10) === monthOf(-70));
    expect(month70).toMatchObject({ clusterName: "aks-prod-weu" });
    const builtBefore = (await db.auditInsightMonth.findUniqueOrThrow({ where: { month: month70!.month } })).builtAt;

    // A late approval dated in that month: its day is rolled up again, the month packed again.
    await fileApproveActivate(prodAdmin, {
      filed: at(-70, "10:00:00"),
      approved: at(-70, "18:00:00"),
      activated: at(-70, "18:01:00"),
    });
    const again = await auditInsights(users.aud01.viewer, wide);
    expect(again.approvalTimes.overall).toEqual({ clusterName: null, ...(await exact()) });
    expect(again.approvalTimes.overall!.approvals).toBe(insights.approvalTimes.overall!.approvals + 1);
    const repacked = await db.auditApprovalDelayMonth.findUniqueOrThrow({
      where: { month_clusterName: { month: month70!.month, clusterName: "aks-prod-weu" } },
    });
    expect(repacked.count).toBe(month70!.count + 1);
    expect(
      (await db.auditInsightMonth.findUniqueOrThrow({ where: { month: month70!.month } })).builtAt > builtBefore,
    ).toBe(true);
    expect(again).toEqual(await fromFreshRollups(wide));
  });
});
