import "server-only";
import type { Prisma } from "@/lib/db/client";
import { Prisma as Sql, type PrismaClient } from "@/lib/db/generated/client";

/**
 * Rollups of the auditor's charts by UTC day (docs/performance.md, "Audit"): activations per day,
 * cluster and role, and each person's approval with its delay, taken from the audit history once
 * instead of joining a year of events to their requests on every view. A cache kept by its
 * readers: before the charts are read, every day of their window that is not rolled up, or whose
 * rollup may be stale, is rolled up (again). The current day too: it goes stale with each approval
 * or activation and is rolled up again on the next view, a few hundred events at most, so that the
 * charts read nothing but rollups.
 *
 * Staleness, without a trigger on the audit writer: writers take turns on the chain's lock until
 * they commit (record-audit-event.ts), so seq order is commit order, and the watermark says that
 * every event up to its seq was counted. An event after it on a rolled-up day (a transaction that
 * began before midnight and committed after, or a late write dated in the past) makes that day
 * stale; it is rolled up again with the rest, in one transaction, so that a reader sees a day's old
 * rollup or its new one, never none. Retention drops the rollups of the days it empties
 * (forgetRollupsBefore).
 */

/** Rollups change under this lock (any constant, used only here); retention takes it too. */
const ROLLUP_LOCK = 0x4a49_5452; // "JITR"

/** Rolling up more days than this at once vacuums the rollups. */
const BIG_ROLLUP_DAYS = 31;

/** The event types the rolled-up charts count: an event of another type never makes a day stale. */
const ROLLED_UP_TYPES = Sql.sql`('request.activated', 'request.approved')`;

const utcDate = (column: Sql.Sql) => Sql.sql`(${column} AT TIME ZONE 'UTC')::date`;

/**
 * Makes every day from `from` (inclusive) to `to` (exclusive, midnight UTC; at most the end of the
 * current day) rolled up and fresh. Cheap when nothing changed: one
 * statement that finds nothing to do. Takes the client it should use: retention, which imports this
 * file, runs without the web app's configuration.
 */
export async function ensureInsightRollups(db: PrismaClient, from: Date, to: Date): Promise<void> {
  if (to <= from) return;
  const range = { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
  const [state] = await db.$queryRaw<Array<{ watermark: bigint; isMissingDays: boolean }>>`
    SELECT coalesce((SELECT through_seq FROM audit_insight_watermark), 0) AS watermark,
           EXISTS (
             SELECT 1 FROM generate_series(${range.from}::date, ${range.to}::date - 1, interval '1 day') d(day)
             WHERE NOT EXISTS (SELECT 1 FROM audit_insight_days r WHERE r.day = d.day::date)) AS "isMissingDays"`;
  if (!state!.isMissingDays) {
    // The watermark as a value, so that PostgreSQL reads only the events after it (by seq).
    const [stale] = await db.$queryRaw<Array<{ isStale: boolean }>>`
      SELECT EXISTS (
        SELECT 1 FROM audit_events e
        WHERE e.seq > ${state!.watermark} AND e.type IN ${ROLLED_UP_TYPES}
          AND ${utcDate(Sql.sql`e.occurred_at`)} IN (SELECT day FROM audit_insight_days)) AS "isStale"`;
    if (!stale!.isStale) return;
  }
  const days = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`;
      return rollUp(tx, range);
    },
    { timeout: 5 * 60_000 },
  );
  // Many days at once (a first view, or after a gap): the charts read the rollups from their indexes
  // alone only once their pages are marked all-visible, which autovacuum does within minutes; the
  // charts are read now (a year of approvals: 51 ms instead of 85). Outside a transaction, as VACUUM
  // must be; without the table's ownership PostgreSQL skips it with a warning.
  if (days > BIG_ROLLUP_DAYS) await db.$executeRaw`VACUUM (ANALYZE) audit_activation_days, audit_approval_delays`;
}

/**
 * Under the lock: the watermark first (every event up to it is committed, since commits come in seq
 * order), then the stale and missing days counted from the history as it is now, which holds at
 * least those events; later ones are found after the new watermark next time.
 */
async function rollUp(tx: Prisma.TransactionClient, range: { from: string; to: string }): Promise<number> {
  const [mark] = await tx.$queryRaw<Array<{ previous: bigint; latest: bigint }>>`
    SELECT coalesce((SELECT through_seq FROM audit_insight_watermark), 0) AS previous,
           coalesce((SELECT max(seq) FROM audit_events), 0) AS latest`;
  const { previous, latest } = mark!;
  const days = await tx.$queryRaw<Array<{ day: string }>>`
    SELECT DISTINCT to_char(${utcDate(Sql.sql`e.occurred_at`)}::timestamp, 'YYYY-MM-DD') AS day FROM audit_events e
    WHERE e.seq > ${previous} AND e.seq <= ${latest} AND e.type IN ${ROLLED_UP_TYPES}
      AND ${utcDate(Sql.sql`e.occurred_at`)} IN (SELECT day FROM audit_insight_days)
    UNION
    SELECT to_char(d.day, 'YYYY-MM-DD') FROM generate_series(${range.from}::date, ${range.to}::date - 1, interval '1 day') d(day)
    WHERE NOT EXISTS (SELECT 1 FROM audit_insight_days r WHERE r.day = d.day::date)`;
  if (days.length > 0) {
    const list = days.map((d) => d.day);
    const first = list.reduce((a, b) => (a < b ? a : b));
    const last = list.reduce((a, b) => (a > b ? a : b));
    // Events are found by the time range that spans the days (an index range scan), then kept by day.
    const inDays = (column: Sql.Sql) =>
      Sql.sql`${column} >= ${first}::date::timestamp AT TIME ZONE 'UTC'
          AND ${column} < (${last}::date + 1)::timestamp AT TIME ZONE 'UTC'
          AND ${utcDate(column)} = ANY (${list}::date[])`;
    await tx.$executeRaw`DELETE FROM audit_insight_days WHERE day = ANY (${list}::date[])`;
    // A month packed from a day rolled up again is packed again when a chart next needs it.
    await tx.$executeRaw`
      DELETE FROM audit_insight_months
      WHERE month IN (SELECT date_trunc('month', d)::date FROM unnest(${list}::date[]) d)`;
    await tx.$executeRaw`INSERT INTO audit_insight_days (day) SELECT unnest(${list}::date[])`;
    // request.activated: one per request (a request that failed and was retried activates once).
    await tx.$executeRaw`
      INSERT INTO audit_activation_days (day, cluster_name, role_name, count)
      SELECT ${utcDate(Sql.sql`e.occurred_at`)}, r.cluster_name, r.role_name, count(*)::int
      FROM audit_events e JOIN access_requests r ON r.id = e.request_id
      WHERE e.type = 'request.activated' AND ${inDays(Sql.sql`e.occurred_at`)}
      GROUP BY 1, 2, 3`;
    // request.approved marks the last approval a request needed (the second of two, say); requests
    // the policy approves at once (no approval required, break-glass) would pull the median to zero.
    await tx.$executeRaw`
      INSERT INTO audit_approval_delays (seq, day, cluster_name, delay_us)
      SELECT e.seq, ${utcDate(Sql.sql`e.occurred_at`)}, r.cluster_name,
             (extract(epoch FROM e.occurred_at - r.created_at) * 1000000)::bigint
      FROM audit_events e JOIN access_requests r ON r.id = e.request_id
      WHERE e.type = 'request.approved' AND ${inDays(Sql.sql`e.occurred_at`)}
        AND r.approvals_required > 0 AND NOT r.is_break_glass`;
  }
  await tx.$executeRaw`
    INSERT INTO audit_insight_watermark (id, through_seq) VALUES (true, ${latest})
    ON CONFLICT (id) DO UPDATE SET through_seq = excluded.through_seq`;
  return days.length;
}

/**
 * Retention removed the events before `cutOff`: their days' rollups go too, in the same transaction,
 * under the rollups' lock, so that no reader rolls up a removed day from what it saw before.
 */
export async function forgetRollupsBefore(tx: Prisma.TransactionClient, cutOff: Date): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`;
  const day = Sql.sql`(${cutOff.toISOString()}::timestamptz AT TIME ZONE 'UTC')::date`;
  await tx.$executeRaw`DELETE FROM audit_insight_days WHERE day < ${day}`;
  // A month that began before the cut-off lost days: packed again (from what is left) if needed.
  await tx.$executeRaw`DELETE FROM audit_insight_months WHERE month < ${day}`;
}

/**
 * Makes each of `months` (first days, YYYY-MM-DD; closed months whose days are all rolled up) packed:
 * every cluster's approval delays of the month, sorted, in one row (lib/audit/approval-percentiles.ts
 * reads them). Under the rollups' lock, so that a month is never packed from days being rolled up
 * again; a month another reader packed meanwhile is left as it is.
 */
export async function ensureApprovalMonths(db: PrismaClient, months: readonly string[]): Promise<void> {
  if (months.length === 0) return;
  const built = await db.$queryRaw<Array<{ month: string }>>`
    SELECT to_char(month, 'YYYY-MM-DD') AS month FROM audit_insight_months WHERE month = ANY (${months}::date[])`;
  const missing = months.filter((month) => !built.some((row) => row.month === month));
  if (missing.length === 0) return;
  const first = missing.reduce((a, b) => (a < b ? a : b));
  const last = missing.reduce((a, b) => (a > b ? a : b));
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`;
      await tx.$executeRaw`
        WITH packing AS (
          INSERT INTO audit_insight_months (month) SELECT unnest(${missing}::date[])
          ON CONFLICT (month) DO NOTHING RETURNING month)
        INSERT INTO audit_approval_delay_months (month, cluster_name, count, delays)
        SELECT date_trunc('month', day)::date, cluster_name, count(*)::int,
               string_agg(float8send(delay_us::float8), ''::bytea ORDER BY delay_us)
        FROM audit_approval_delays
        WHERE day >= ${first}::date AND day < (${last}::date + interval '1 month')
          AND date_trunc('month', day)::date IN (SELECT month FROM packing)
        GROUP BY 1, 2`;
    },
    { timeout: 60_000 },
  );
}
