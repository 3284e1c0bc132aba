import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { TYPES_SHOWN_WITHOUT_ACTOR, type ActivityFilter, type AuditFilters } from "./filters";

export interface AuditEventRow {
  seq: string;
  occurredAt: Date;
  type: string;
  actorUpn: string | null;
  data: unknown;
}

/** The newest audit events, for auditors and admins. */
export async function listRecentAuditEvents(viewer: SessionUser, limit = 50): Promise<AuditEventRow[]> {
  authorize(viewer, "audit.read");
  const rows = await db.auditEvent.findMany({
    orderBy: { seq: "desc" },
    take: limit,
    select: { seq: true, occurredAt: true, type: true, actorUpn: true, data: true },
  });
  return rows.map((row) => ({ ...row, seq: row.seq.toString() }));
}

/** A stored event with what its request adds (the request's values as they are now). */
export interface AuditRow {
  seq: bigint;
  id: string;
  occurredAt: Date;
  type: string;
  actorId: string | null;
  actorUpn: string | null;
  subjectId: string | null;
  requestId: string | null;
  correlationId: string | null;
  data: unknown;
  prevHash: string | null;
  hash: string | null;
  clusterName: string | null;
  roleName: string | null;
  requesterUpn: string | null;
  justification: string | null;
  ticket: string | null;
}

/**
 * Up to `limit` matching events older than `before` (keyset on seq: a page costs the same on page 1
 * and page 20,000, where OFFSET would read every row before it), and where the next page starts.
 * No permission check: for searchAuditEvents (search.ts) and exportAuditEvents (export.ts), which
 * authorize first.
 */
export async function readAuditPage(
  filters: AuditFilters,
  { before, limit }: { before: bigint | null; limit: number },
): Promise<{ rows: AuditRow[]; nextBefore: bigint | null }> {
  const rows = await db.$queryRaw<AuditRow[]>(auditPageQuery(filters, { before, limit: limit + 1 }));
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  return { rows: page, nextBefore: hasMore ? page[page.length - 1]!.seq : null };
}

/**
 * The SQL of a page: up to `limit` matching events older than `before`, newest first, with what
 * their request adds (AuditRow's columns, in its order). For readAuditPage, and for the export,
 * which runs it on a connection of its own (seq then comes back as text).
 */
export function auditPageQuery(
  filters: AuditFilters,
  { before, limit }: { before: bigint | null; limit: number },
): Prisma.Sql {
  const conditions = [...filterConditions(filters), ...(before === null ? [] : [Prisma.sql`e.seq < ${before}`])];
  // The page is chosen on audit_events alone and joined after: joining first makes PostgreSQL join
  // every matching row before it sorts and keeps one page. Each event then looks its request up by
  // key (OFFSET 0 keeps the lateral subquery from being merged into a join PostgreSQL may plan as a
  // hash join): for an export's pages of 1,000, it read all 145,000 requests per page instead.
  return Prisma.sql`
    SELECT e.seq, e.id, e.occurred_at AS "occurredAt", e.type, e.actor_id AS "actorId", e.actor_upn AS "actorUpn",
           e.subject_id AS "subjectId", e.request_id AS "requestId", e.correlation_id AS "correlationId", e.data,
           e.prev_hash AS "prevHash", e.hash,
           COALESCE(e.data->>'clusterName', r.cluster_name) AS "clusterName",
           COALESCE(e.data->>'roleName', r.role_name) AS "roleName",
           r.requester_upn AS "requesterUpn", r.justification, r.ticket
    FROM (SELECT * FROM audit_events e ${where(conditions)} ORDER BY e.seq DESC LIMIT ${limit}) e
    LEFT JOIN LATERAL (
      SELECT r.cluster_name, r.role_name, r.justification, r.ticket, u.user_principal_name AS requester_upn
      FROM access_requests r LEFT JOIN users u ON u.id = r.requester_id
      WHERE r.id = e.request_id OFFSET 0) r ON true
    ORDER BY e.seq DESC`;
}

/**
 * How many events match, counted (not the planner's estimate), up to `cap` when one is given: beyond
 * it, only that there are more. An exact count reads every match, ~100 ms per million on two cores,
 * on every page; a capped one stops at the cap. No permission check, as above.
 */
export async function countAuditEvents(filters: AuditFilters, cap: number | null): Promise<number> {
  const matches = Prisma.sql`SELECT 1 FROM audit_events e ${where(filterConditions(filters))}`;
  const [row] = await db.$queryRaw<Array<{ count: bigint }>>`
    SELECT count(*) AS count FROM (${matches} ${cap === null ? Prisma.empty : Prisma.sql`LIMIT ${cap + 1}`}) m`;
  return Number(row?.count ?? 0);
}

const where = (conditions: Prisma.Sql[]) =>
  conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;

/**
 * Events that involve a person: they acted, the event belongs to a request of theirs, or it is about
 * them (subject_id holds the user's id on session events). Requests and users are found first, by
 * the UPN indexes, so that each branch is an index scan.
 */
function involving(upn: string): Prisma.Sql {
  return Prisma.sql`(
    lower(e.actor_upn) = lower(${upn})
    OR e.request_id = ANY (ARRAY(
      SELECT r.id FROM access_requests r JOIN users u ON u.id = r.requester_id
      WHERE lower(u.user_principal_name) = lower(${upn})))
    OR e.subject_id = ANY (ARRAY(
      SELECT u.id::text FROM users u WHERE lower(u.user_principal_name) = lower(${upn}))))`;
}

/** What each activity filter asks of a request's summary (request_activities `a`). */
const ACTIVITY_CONDITIONS: Record<ActivityFilter, Prisma.Sql> = {
  "secret-reads": Prisma.sql`a.secret_reads > 0`,
  "after-end": Prisma.sql`a.after_end_calls > 0`,
  denied: Prisma.sql`a.denied_calls > 0`,
};

/**
 * The filters as conditions on audit_events `e`, each one an index can serve (see the audit_search
 * migration). Cluster, role and requester are the request's: every event that has them belongs to a
 * request (request events also copy cluster and role into `data`, and requests never move), and
 * selecting requests first lets a rare cluster be found through its few requests rather than by
 * reading the whole history.
 */
function filterConditions(f: AuditFilters): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (f.from) conditions.push(Prisma.sql`e.occurred_at >= ${f.from}::timestamptz`);
  if (f.to) conditions.push(Prisma.sql`e.occurred_at < ${f.to}::timestamptz`);
  if (f.actor) conditions.push(Prisma.sql`lower(e.actor_upn) = lower(${f.actor})`);
  if (f.type.length > 0) conditions.push(Prisma.sql`e.type IN (${Prisma.join(f.type)})`);
  if (f.requestId) conditions.push(Prisma.sql`e.request_id = ${f.requestId}::uuid`);
  // isSystemEvent (filters.ts) in SQL; a request's trail stays whole, chosen types decide alone.
  if (f.system === "exclude" && f.type.length === 0 && !f.requestId) {
    conditions.push(Prisma.sql`(e.actor_upn IS NOT NULL OR e.type IN (${Prisma.join(TYPES_SHOWN_WITHOUT_ACTOR)}))`);
  }
  if (f.involving) conditions.push(involving(f.involving));
  if (f.activity && f.activity.length > 0) {
    // One row per request, found by its primary key from each event's request_id.
    const shows = Prisma.join(
      f.activity.map((a) => ACTIVITY_CONDITIONS[a]),
      " AND ",
    );
    conditions.push(
      Prisma.sql`EXISTS (SELECT 1 FROM request_activities a WHERE a.request_id = e.request_id AND ${shows})`,
    );
  }
  const ofRequest: Prisma.Sql[] = [];
  if (f.requester) {
    ofRequest.push(
      Prisma.sql`r.requester_id IN (SELECT id FROM users WHERE lower(user_principal_name) = lower(${f.requester}))`,
    );
  }
  if (f.cluster) ofRequest.push(Prisma.sql`r.cluster_name = ${f.cluster}`);
  if (f.role) ofRequest.push(Prisma.sql`r.role_name = ${f.role}`);
  if (ofRequest.length > 0) {
    conditions.push(
      Prisma.sql`e.request_id IN (SELECT r.id FROM access_requests r WHERE ${Prisma.join(ofRequest, " AND ")})`,
    );
  }
  if (f.q) {
    // lower(x) LIKE lower(p) is what ILIKE does, on the expressions the trigram indexes cover. The
    // requests come first as an array, so that all three branches are index scans PostgreSQL can OR.
    // The request filters go into that array too: a common word matches requests on every cluster, and
    // their events (100,000 in a million) would otherwise be read before the cluster narrows them.
    const pattern = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const textOfRequest = Prisma.sql`(lower(r.justification) LIKE lower(${pattern}) OR lower(r.ticket) LIKE lower(${pattern}))`;
    conditions.push(Prisma.sql`(
      e.request_id = ANY (ARRAY(
        SELECT r.id FROM access_requests r WHERE ${Prisma.join([...ofRequest, textOfRequest], " AND ")}))
      OR lower(e.data->>'comment') LIKE lower(${pattern})
      OR lower(e.data->>'reason') LIKE lower(${pattern}))`);
  }
  return conditions;
}
