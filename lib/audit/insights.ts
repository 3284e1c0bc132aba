import "server-only";
import { parseInput } from "@/lib/validation/parse-input";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { parseRequestStatus, type RequestStatus } from "@/lib/domain/request-state";
import { ensureInsightRollups } from "./insights-rollups";
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
 * (the request row keeps only its current state): closed days from their rollups
 * (insights-rollups.ts, brought up to date first), the current day live, from
 * audit_events_insights_idx joined to the request for cluster, role and filing time. Failures,
 * rare, come through the (type, occurred_at) index; break-glass uses are requests, found by their own
 * small index (see the audit_insights migration).
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
  // Closed days come from their rollups, the rest of the window (the current day) is read live.
  const today = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const rolledEnd = end < today ? end : today;
  const liveStart = start > today ? start : today;
  await ensureInsightRollups(db, start, rolledEnd);
  const rolledDays = Prisma.sql`day >= ${start.toISOString().slice(0, 10)}::date AND day < ${rolledEnd.toISOString().slice(0, 10)}::date`;
  const live = (column: Prisma.Sql) =>
    Prisma.sql`${column} >= ${liveStart.toISOString()}::timestamptz AND ${column} < ${end.toISOString()}::timestamptz`;

  type ActivationDay = DayCount & { clusterName: string; roleName: string };
  const [rolledActivations, liveActivations, approvalTimes, breakGlassDays, uses, failureDays, failures] =
    await Promise.all([
      // A year is 14,000 (day, cluster, role) counts: one row per cluster and role, its days as arrays.
      db.$queryRaw<Array<{ clusterName: string; roleName: string; days: string[]; counts: number[] }>>`
      SELECT cluster_name AS "clusterName", role_name AS "roleName",
             array_agg(to_char(day::timestamp, 'YYYY-MM-DD') ORDER BY day) AS days, array_agg(count ORDER BY day) AS counts
      FROM audit_activation_days WHERE ${rolledDays}
      GROUP BY cluster_name, role_name`,
      // One request.activated per request: a request that failed and was retried activates once.
      db.$queryRaw<ActivationDay[]>`
      SELECT ${utcDay(Prisma.sql`e.occurred_at`)} AS day, r.cluster_name AS "clusterName",
             r.role_name AS "roleName", count(*)::int AS count
      FROM audit_events e JOIN access_requests r ON r.id = e.request_id
      WHERE e.type = 'request.activated' AND ${live(Prisma.sql`e.occurred_at`)}
      GROUP BY (e.occurred_at AT TIME ZONE 'UTC')::date, r.cluster_name, r.role_name`,
      // request.approved marks the last approval a request needed (the second of two, say); requests
      // the policy approves at once (no approval required, break-glass) would pull the median to zero.
      db.$queryRaw<Array<ApprovalTime & { isOverall: boolean }>>`
      WITH delays AS (
        SELECT cluster_name, delay FROM audit_approval_delays WHERE ${rolledDays}
        UNION ALL
        SELECT r.cluster_name, e.occurred_at - r.created_at
        FROM audit_events e JOIN access_requests r ON r.id = e.request_id
        WHERE e.type = 'request.approved' AND ${live(Prisma.sql`e.occurred_at`)}
          AND r.approvals_required > 0 AND NOT r.is_break_glass)
      SELECT cluster_name AS "clusterName", GROUPING(cluster_name) = 1 AS "isOverall",
             count(*)::int AS approvals,
             extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY delay))::float8 AS "medianSeconds",
             extract(epoch FROM percentile_cont(0.9) WITHIN GROUP (ORDER BY delay))::float8 AS "p90Seconds"
      FROM delays
      GROUP BY GROUPING SETS ((cluster_name), ())
      HAVING count(*) > 0 -- the grand total is a row even when nothing matched
      ORDER BY cluster_name`,
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

  const activations: ActivationDay[] = [
    ...rolledActivations.flatMap(({ clusterName, roleName, days: rolled, counts }) =>
      rolled.map((day, i) => ({ day, clusterName, roleName, count: counts[i]! })),
    ),
    ...liveActivations,
  ];
  const series = seriesByDay(
    days,
    activations,
    (row) => ({ clusterName: row.clusterName, roleName: row.roleName }),
    (key) => `${key.clusterName}\u0000${key.roleName}`,
  );
  const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);
  const breakGlassPerDay = perDay(days, breakGlassDays);
  const failedPerDay = perDay(days, failureDays);
  const asTime = ({ isOverall: _isOverall, ...time }: ApprovalTime & { isOverall: boolean }): ApprovalTime => time;
  const overall = approvalTimes.find((t) => t.isOverall);
  return {
    window: { from, to, days },
    activations: { total: sum(series.map((s) => s.total)), series },
    approvalTimes: {
      overall: overall ? { ...asTime(overall), clusterName: null } : null,
      clusters: approvalTimes.filter((t) => !t.isOverall).map(asTime),
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
