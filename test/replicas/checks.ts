/* What the assertions read: the app's tables and pg-boss's, the emulator's call log and mailbox. */
import type pg from "pg";

type Queryable = Pick<pg.Pool, "query">;
import type { EmulatorState, ServedCall } from "./clients";

export interface RequestRow {
  id: string;
  status: string;
  /** when it became active (its `request.activated` audit event), not the start of its access period */
  activatedAt: Date | null;
}

export async function requestRows(db: Queryable, ids: readonly string[]): Promise<Map<string, RequestRow>> {
  const { rows } = await db.query<{ id: string; status: string; activated_at: Date | null }>(
    `SELECT r.id, r.status, (SELECT min(e.occurred_at) FROM audit_events e
       WHERE e.request_id = r.id AND e.type = 'request.activated') AS activated_at
      FROM access_requests r WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, { id: row.id, status: row.status, activatedAt: row.activated_at }]));
}

/** Every request these people filed, whatever the test heard back (a 500 may hide a committed request). */
export async function requestsOf(db: Queryable, objectIds: readonly string[]) {
  const { rows } = await db.query<{ id: string; status: string; entra_object_id: string }>(
    `SELECT r.id, r.status, u.entra_object_id FROM access_requests r JOIN users u ON u.id = r.requester_id
      WHERE u.entra_object_id = ANY($1::uuid[])`,
    [objectIds],
  );
  return rows;
}

/** Grants of these people still active in the ledger. */
export async function activeGrantCount(db: Queryable, objectIds: readonly string[]) {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) FROM grants g JOIN users u ON u.id = g.user_id
      WHERE u.entra_object_id = ANY($1::uuid[]) AND g.status = 'active'`,
    [objectIds],
  );
  return Number(rows[0]!.count);
}

/**
 * Jobs running, due, or failed and waiting for their retry, of any queue. Jobs planned for later
 * (the "ends soon" warning and the expiry at the end of an hour-long request) are not counted.
 */
export async function dueJobCount(db: Queryable) {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) FROM pgboss.job
      WHERE state IN ('active', 'retry') OR (state = 'created' AND start_after <= now())`,
  );
  return Number(rows[0]!.count);
}

/**
 * The jobs that removed these requests' grants: `deactivate` jobs (retried when a sweep had claimed
 * their grants) and the expiry sweeps that ran meanwhile.
 */
export async function removalJobs(db: Queryable, requestIds: readonly string[], from: Date) {
  const { rows } = await db.query<{ deactivate: string; retried: string; sweeps: string }>(
    `SELECT
       (SELECT count(*) FROM pgboss.job WHERE name = 'deactivate' AND data->>'requestId' = ANY($1)) AS deactivate,
       (SELECT count(*) FROM pgboss.job WHERE name = 'deactivate' AND data->>'requestId' = ANY($1)
          AND retry_count > 0) AS retried,
       (SELECT count(*) FROM pgboss.job WHERE name = 'expire-access' AND state = 'completed'
          AND completed_on >= $2) AS sweeps`,
    [requestIds, from],
  );
  return {
    deactivate: Number(rows[0]!.deactivate),
    retried: Number(rows[0]!.retried),
    sweeps: Number(rows[0]!.sweeps),
  };
}

/** When the jobs of a cron queue were created within [from, to], oldest first (live and archived). */
export async function cronJobTimes(db: Queryable, queue: string, from: Date, to: Date): Promise<Date[]> {
  const { rows } = await db.query<{ created_on: Date }>(
    `SELECT created_on FROM (
       SELECT name, created_on FROM pgboss.job WHERE name = $1
       UNION ALL SELECT name, created_on FROM pgboss.archive WHERE name = $1
     ) AS jobs WHERE created_on >= $2 AND created_on < $3 ORDER BY created_on`,
    [queue, from, to],
  );
  return rows.map((row) => row.created_on);
}

/** The minutes that started and ended inside [from, to]: the cron ticks every replica was up for. */
export function wholeMinutes(from: Date, to: Date): Date[] {
  const minutes: Date[] = [];
  const first = Math.ceil(from.getTime() / 60_000) * 60_000;
  for (let start = first; start + 60_000 <= to.getTime(); start += 60_000) minutes.push(new Date(start));
  return minutes;
}

export interface WriteCounts {
  assign: number;
  remove: number;
  put: number;
  delete: number;
  revokeSessions: number;
  failed: number;
}

/** Provider writes per person: PIM adminAssign/adminRemove and ARM role assignment PUT/DELETE. */
export function writesByPrincipal(calls: readonly ServedCall[]): Map<string, WriteCounts> {
  const counts = new Map<string, WriteCounts>();
  for (const call of calls) {
    if (!call.principalId || call.method === "GET") continue;
    const count = counts.get(call.principalId) ?? {
      assign: 0,
      remove: 0,
      put: 0,
      delete: 0,
      revokeSessions: 0,
      failed: 0,
    };
    if (call.path.endsWith("/assignmentScheduleRequests") && call.action === "adminAssign") count.assign += 1;
    else if (call.path.endsWith("/assignmentScheduleRequests") && call.action === "adminRemove") count.remove += 1;
    else if (call.method === "PUT" && call.path.includes("/roleAssignments/")) count.put += 1;
    else if (call.method === "DELETE" && call.path.includes("/roleAssignments/")) count.delete += 1;
    else if (call.path.endsWith("/revokeSignInSessions")) count.revokeSessions += 1;
    else continue;
    // A server error or a throttle would have been retried: the count would then hide nothing.
    if (call.status === null || call.status >= 500 || call.status === 429) count.failed += 1;
    counts.set(call.principalId, count);
  }
  return counts;
}

const KINDS: Array<[RegExp, string]> = [
  [/^\[AKS JIT\] Approval needed:/, "request_filed"],
  [/^\[AKS JIT\] (Approved|Already approved|Denied|Already denied)/, "request_decided"],
  [/^\[AKS JIT\] Your .* access ends in/, "access_ending_soon"],
  [/^\[AKS JIT\] Activation failed:/, "activation_failed"],
  [/^\[AKS JIT\] Reminder:/, "pending_reminder"],
  [/^\[AKS JIT\] Escalated:/, "pending_escalation"],
  [/^\[AKS JIT\] Break-glass:/, "break_glass"],
  [/^\[AKS JIT\] Active: your /, "access_active"],
  [/^\[AKS JIT\] Ended: your /, "access_ended"],
  [/^\[AKS JIT\] Revoked: /, "access_revoked"],
  [/^\[AKS JIT\] (Cancelled|Timed out): .* no longer needs approval/, "approval_closed"],
];

/** "requestId recipient kind" for every mail about these requests, sorted: duplicates show as repeats. */
export function mailKeys(state: EmulatorState, requestIds: ReadonlySet<string>): string[] {
  const keys: string[] = [];
  for (const mail of state.mail) {
    const requestId = /\/requests\/([0-9a-f-]{36})/.exec(mail.body)?.[1];
    if (!requestId || !requestIds.has(requestId)) continue;
    const kind = KINDS.find(([pattern]) => pattern.test(mail.subject))?.[1] ?? `unknown: ${mail.subject}`;
    for (const to of mail.to) keys.push(`${requestId} ${to.toLowerCase()} ${kind}`);
  }
  return keys.sort();
}
