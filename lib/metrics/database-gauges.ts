import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { db } from "@/lib/db/client";
import { OPEN_STATES, OVERDUE_AFTER_SECONDS, QUEUE_NAMES, type DatabaseRows } from "./database-registry";

/**
 * Reads what the deployment-wide gauges show, with a few small queries that indexes answer
 * (pg-boss's job table holds only the last hours of jobs: it archives older ones). One transaction,
 * so that a scrape takes one pool connection and `statement_timeout` bounds each query.
 */
export async function readDatabaseRows(timeoutMs: number): Promise<DatabaseRows> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
      const requestsOpen = await tx.$queryRaw<DatabaseRows["requestsOpen"]>`
        SELECT status AS state, count(*)::int AS count FROM access_requests
        WHERE status = ANY(${[...OPEN_STATES]}) GROUP BY status`;
      const [overdue] = await tx.$queryRaw<Array<{ count: number }>>`
        SELECT count(*)::int AS count FROM grants
        WHERE status = 'active' AND end_at < now() - ${OVERDUE_AFTER_SECONDS} * interval '1 second'`;
      // Before pg-boss's first start on a new database its schema does not exist yet: no jobs, not an outage.
      const [queue] = await tx.$queryRaw<Array<{ isPresent: boolean }>>`
        SELECT to_regclass('pgboss.job') IS NOT NULL AS "isPresent"`;
      const jobs = queue?.isPresent
        ? await tx.$queryRaw<DatabaseRows["jobs"]>`
            SELECT name AS queue, state::text AS state, count(*)::int AS count,
              EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE start_after <= now()))::float8 AS "oldestDueSeconds"
            FROM pgboss.job
            WHERE name = ANY(${QUEUE_NAMES}) AND state IN ('created', 'retry', 'active', 'failed')
            GROUP BY name, state`
        : [];
      const driftOpen = await tx.$queryRaw<DatabaseRows["driftOpen"]>`
        SELECT kind, count(*)::int AS count FROM drift_findings WHERE resolved_at IS NULL GROUP BY kind`;
      const [verification] = await tx.$queryRaw<Array<{ ranAt: Date; isIntact: boolean }>>`
        SELECT ran_at AS "ranAt", is_intact AS "isIntact" FROM audit_verifications ORDER BY ran_at DESC LIMIT 1`;
      // Counted in SQL from the stored JSON (lib/posture/types.ts), for the catalog's clusters only: a bounded label set.
      const postures = await tx.$queryRaw<NonNullable<DatabaseRows["postures"]>>`
        SELECT cluster_name AS cluster,
          (SELECT count(*)::int FROM jsonb_array_elements(findings) f WHERE f->>'severity' = 'high') AS high,
          (SELECT count(*)::int FROM jsonb_array_elements(findings) f WHERE f->>'severity' = 'medium') AS medium,
          (SELECT count(*)::int FROM jsonb_array_elements(findings) f WHERE f->>'severity' = 'low') AS low,
          CASE WHEN jsonb_typeof(standing->'principals') = 'array'
            THEN jsonb_array_length(standing->'principals') END AS standing,
          error IS NOT NULL AS "isFailing"
        FROM cluster_postures WHERE cluster_name = ANY(${getCatalog().clusters.map((c) => c.name)})
        ORDER BY cluster_name`;
      return {
        postures,
        requestsOpen,
        grantsOverdue: overdue?.count ?? 0,
        jobs,
        driftOpen,
        lastVerification: verification ?? null,
      };
    },
    { maxWait: timeoutMs, timeout: timeoutMs * 2 },
  );
}
