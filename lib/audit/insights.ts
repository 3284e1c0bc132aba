import "server-only";
import { parseInput } from "@/lib/validation/parse-input";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { parseRequestStatus, type RequestStatus } from "@/lib/domain/request-state";
import { percentileOfRuns, unpackRun, type SortedRun } from "./approval-percentiles";
import { ensureApprovalMonths, ensureInsightRollups } from "./insights-rollups";
import { perDay, seriesByDay, windowSchema, type DaySeries, type InsightsWindowInput } from "./insights-days";

/** The break-glass and failure lists show the newest this many; their counts cover the whole window. */
export const INSIGHTS_LIST_LIMIT = 100;

export interface ApprovalTime {
  /** null: every cluster together */
  clusterName: string | null;
  approvals: number;
  medianSeconds: number;
  p90Seconds: number;
}

export interface BreakGlassUse {
  requestId: string;
  requestedAt: Date;
  requesterUpn: string;
  requesterName: string;
  clusterName: string;
  roleName: string;
  status: RequestStatus;
  justification: string;
}

export interface FailedActivation {
  requestId: string | null;
  failedAt: Date;
  requesterUpn: string | null;
  clusterName: string | null;
  roleName: string | null;
  reason: string | null;
}

export interface AuditInsights {
  window: { from: string; to: string; days: string[] };
  activations: { total: number; series: Array<DaySeries<{ clusterName: string; roleName: string }>> };
  /** by a person's approval only: self-activation and break-glass are approved by policy at once */
  approvalTimes: { overall: ApprovalTime | null; clusters: ApprovalTime[] };
  breakGlass: { total: number; perDay: number[]; uses: BreakGlassUse[] };
  failedActivations: { total: number; perDay: number[]; failures: FailedActivation[] };
}

type DayCount = { day: string; count: number };
/** The UTC day of a timestamptz, as YYYY-MM-DD whatever the session's time zone and DateStyle. */
const utcDay = (column: Prisma.Sql) =>
  Prisma.sql`to_char(((${column} AT TIME ZONE 'UTC')::date)::timestamp, 'YYYY-MM-DD')`;

/**
 * The auditor's charts over whole UTC days (default the last 30, at most 366): activations per day by
 * cluster and role, time from request to approval, break-glass uses, failed activations. Auditors and
 * admins only.
 *
 * Activations and approvals are counted from the audit history, which records when each happened
 * (the request row keeps only its current state), through its rollups by day (insights-rollups.ts,
 * brought up to date first, the current day included): a year is 14,000 (day, cluster, role)
 * counts and 130,000 approvals at 1M events, read in cluster order from an index. Failures, rare,
 * come through the (type, occurred_at) index; break-glass uses are requests, found by their own small
 * index (see the audit_insights migration).
 */
export async function auditInsights(
  viewer: SessionUser,
  input: InsightsWindowInput = {},
  now = new Date(),
): Promise<AuditInsights> {
  authorize(viewer, "audit.read");
  const { from, to, start, end, days } = parseInput(windowSchema(now), input);
  const inWindow = (column: Prisma.Sql) =>
    Prisma.sql`${column} >= ${start.toISOString()}::timestamptz AND ${column} < ${end.toISOString()}::timestamptz`;
  // Every day of the window up to the end of the current one is rolled up: none later has events.
  const tomorrow = new Date(Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) + 24 * 3_600_000);
  await ensureInsightRollups(db, start, end < tomorrow ? end : tomorrow);
  const months = closedMonthsWithin(start, end, now);
  await ensureApprovalMonths(db, months.list);
  const firstDay = Prisma.sql`${start.toISOString().slice(0, 10)}::date`;
  const rolledDays = Prisma.sql`day >= ${firstDay} AND day < ${end.toISOString().slice(0, 10)}::date`;

  const [activations, delayRuns, breakGlassDays, uses, failureDays, failures] = await Promise.all([
    // One row per cluster and role, its days as offsets from the window's first: both arrays take
    // the rows in the same order, and any order will do.
    // As comma-separated text, which Prisma hands over in half the time of an int[].
    db.$queryRaw<Array<{ clusterName: string; roleName: string; offsets: string; counts: string }>>`
      SELECT cluster_name AS "clusterName", role_name AS "roleName",
             array_to_string(array_agg(day - ${firstDay}), ',') AS offsets,
             array_to_string(array_agg(count), ',') AS counts
      FROM audit_activation_days WHERE ${rolledDays}
      GROUP BY cluster_name, role_name`,
    // A year is 130,000 approvals at 1M events: each closed month's come packed and sorted by
    // cluster, the window's other days' are sorted here (approval-percentiles.ts selects from both).
    // As base64 text: Prisma hands bytea over slowly (a year of delays: 49 ms, against 5 as text).
    db.$queryRaw<Array<{ clusterName: string; delays: string }>>`
      SELECT cluster_name AS "clusterName", encode(delays, 'base64') AS delays FROM audit_approval_delay_months
      WHERE month = ANY (${months.list}::date[])
      UNION ALL
      SELECT cluster_name, encode(string_agg(float8send(delay_us::float8), ''::bytea ORDER BY delay_us), 'base64')
      FROM audit_approval_delays
      WHERE (day >= ${firstDay} AND day < ${months.from}::date)
         OR (day >= ${months.to}::date AND day < ${end.toISOString().slice(0, 10)}::date)
      GROUP BY cluster_name`,
    db.$queryRaw<DayCount[]>`
      SELECT ${utcDay(Prisma.sql`created_at`)} AS day, count(*)::int AS count
      FROM access_requests WHERE is_break_glass AND ${inWindow(Prisma.sql`created_at`)}
      GROUP BY 1`,
    db.accessRequest.findMany({
      where: { isBreakGlass: true, createdAt: { gte: start, lt: end } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: INSIGHTS_LIST_LIMIT,
      select: {
        id: true,
        createdAt: true,
        clusterName: true,
        roleName: true,
        status: true,
        justification: true,
        requester: { select: { userPrincipalName: true, displayName: true } },
      },
    }),
    db.$queryRaw<DayCount[]>`
      SELECT ${utcDay(Prisma.sql`occurred_at`)} AS day, count(*)::int AS count
      FROM audit_events WHERE type = 'request.activation_failed' AND ${inWindow(Prisma.sql`occurred_at`)}
      GROUP BY 1`,
    // Every failure, a retried request's earlier ones too: the history, not the request's state now.
    db.$queryRaw<FailedActivation[]>`
      SELECT e.request_id AS "requestId", e.occurred_at AS "failedAt", e.data->>'reason' AS reason,
             r.cluster_name AS "clusterName", r.role_name AS "roleName", u.user_principal_name AS "requesterUpn"
      FROM audit_events e
      LEFT JOIN access_requests r ON r.id = e.request_id
      LEFT JOIN users u ON u.id = r.requester_id
      WHERE e.type = 'request.activation_failed' AND ${inWindow(Prisma.sql`e.occurred_at`)}
      ORDER BY e.occurred_at DESC, e.seq DESC
      LIMIT ${INSIGHTS_LIST_LIMIT}`,
  ]);

  const series = seriesByDay(
    days,
    activations.flatMap(({ clusterName, roleName, offsets, counts }) => {
      const countOf = counts.split(",");
      return offsets
        .split(",")
        .map((offset, i) => ({ day: days[Number(offset)]!, clusterName, roleName, count: Number(countOf[i]) }));
    }),
    (row) => ({ clusterName: row.clusterName, roleName: row.roleName }),
    (key) => `${key.clusterName}\u0000${key.roleName}`,
  );
  const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);
  const breakGlassPerDay = perDay(days, breakGlassDays);
  const failedPerDay = perDay(days, failureDays);
  const runsByCluster = new Map<string, SortedRun[]>();
  for (const { clusterName, delays } of delayRuns) {
    runsByCluster.set(clusterName, [
      ...(runsByCluster.get(clusterName) ?? []),
      unpackRun(Buffer.from(delays, "base64")),
    ]);
  }
  const asTime = (clusterName: string | null, runs: SortedRun[]): ApprovalTime | null => {
    const approvals = runs.reduce((sum, run) => sum + run.length, 0);
    if (approvals === 0) return null;
    return {
      clusterName,
      approvals,
      medianSeconds: percentileOfRuns(runs, 0.5)! / 1e6,
      p90Seconds: percentileOfRuns(runs, 0.9)! / 1e6,
    };
  };
  const clusterTimes = [...runsByCluster.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((clusterName) => asTime(clusterName, runsByCluster.get(clusterName)!))
    .filter((time): time is ApprovalTime => time !== null);
  return {
    window: { from, to, days },
    activations: { total: sum(series.map((s) => s.total)), series },
    approvalTimes: {
      overall: asTime(null, [...runsByCluster.values()].flat()),
      clusters: clusterTimes,
    },
    breakGlass: {
      total: sum(breakGlassPerDay),
      perDay: breakGlassPerDay,
      uses: uses.map((r) => ({
        requestId: r.id,
        requestedAt: r.createdAt,
        requesterUpn: r.requester.userPrincipalName,
        requesterName: r.requester.displayName,
        clusterName: r.clusterName,
        roleName: r.roleName,
        status: parseRequestStatus(r.status, r.id),
        justification: r.justification,
      })),
    },
    failedActivations: { total: sum(failedPerDay), perDay: failedPerDay, failures },
  };
}

const DAY_MS = 24 * 3_600_000;
const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
const nextMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
const ymd = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The whole UTC months inside the window [start, end) that have ended before today (their days change
 * no more, unless an event is written late: then the rollup drops the month), as first days, and the
 * span [from, to) they cover; from = to when there are none.
 */
export function closedMonthsWithin(start: Date, end: Date, now: Date): { list: string[]; from: string; to: string } {
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const first = start.getTime() === monthStart(start).getTime() ? start : nextMonth(start);
  const limit = end < today ? end : today;
  const list: string[] = [];
  let month = first;
  while (nextMonth(month) <= limit) {
    list.push(ymd(month));
    month = nextMonth(month);
  }
  return list.length > 0 ? { list, from: list[0]!, to: ymd(month) } : { list, from: ymd(start), to: ymd(start) };
}
