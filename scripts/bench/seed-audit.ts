/* Seeds a realistic audit history into an empty, migrated database, chained exactly as the app
 * chains it: sign-ins and request lifecycles (created, approved, activating, two provider calls,
 * activated, ended) spread over 12 months, N users, C clusters. Used by `npm run bench:audit`. */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { chainHash, GENESIS_HASH, type ChainedContent } from "../../lib/audit/chain";

export interface SeedOptions {
  events: number;
  users: number;
  clusters: number;
  now: Date;
}

const BATCH = 5_000;
const YEAR_MS = 365 * 24 * 3_600_000;
const ROLES = ["admin", "node-access"] as const;
const WORDS = ["rollout", "incident", "certificate", "node drain", "upgrade", "debug", "capacity", "hotfix", "restore"];

/** A small deterministic generator, so that two runs seed the same history. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A seeded event: the chained content (as the app writes it) with its place and links. */
type Row = ChainedContent & {
  seq: bigint;
  id: string;
  occurredAt: Date;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

export async function seedAuditHistory(client: pg.Client, options: SeedOptions) {
  const next = random(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const users = Array.from({ length: options.users }, (_, i) => ({
    id: randomUUID(),
    objectId: randomUUID(),
    upn: `user${String(i).padStart(4, "0")}@contoso.com`,
  }));
  await client.query(
    `INSERT INTO users (id, entra_object_id, tenant_id, user_principal_name, display_name)
     SELECT u.id, u.oid, '95edb77e-5eb1-4bd1-9425-ed3e1d470032', u.upn, u.upn
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(id, oid, upn)`,
    [users.map((u) => u.id), users.map((u) => u.objectId), users.map((u) => u.upn)],
  );
  const clusters = Array.from({ length: options.clusters }, (_, i) => `aks-${String(i).padStart(2, "0")}-weu`);
  const approvers = users.slice(0, Math.max(2, Math.floor(users.length / 20)));

  let seq = 0n;
  let prevHash = GENESIS_HASH;
  let rows: Row[] = [];
  let requests: unknown[][] = [[], [], [], [], [], [], [], []];
  const start = options.now.getTime() - YEAR_MS;
  // Time moves forward through the year as events are made, so that seq order is time order.
  const step = YEAR_MS / options.events;
  let clock = start;

  const flush = async () => {
    if (requests[0]!.length > 0) {
      await client.query(
        `INSERT INTO access_requests (id, requester_id, cluster_name, role_name, status, duration_minutes,
            justification, ticket, approvals_required, pending_expires_at, policy, created_at, updated_at)
         SELECT r.id, r.requester, r.cluster, r.role, r.status, 60, r.justification, r.ticket, 1, r.created + interval '1 day',
                '{}'::jsonb, r.created, r.created
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
             AS r(id, requester, cluster, role, status, justification, ticket, created)`,
        requests,
      );
      requests = [[], [], [], [], [], [], [], []];
    }
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO audit_events (seq, id, occurred_at, type, actor_id, actor_upn, subject_id, request_id,
          correlation_id, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[], $6::text[],
          $7::text[], $8::uuid[], $9::text[], $10::jsonb[], $11::text[], $12::text[])`,
      [
        rows.map((r) => r.seq.toString()),
        rows.map((r) => r.id),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.type),
        rows.map((r) => r.actorId),
        rows.map((r) => r.actorUpn),
        rows.map((r) => r.subjectId),
        rows.map((r) => r.requestId),
        rows.map((r) => r.correlationId),
        rows.map((r) => JSON.stringify(r.data)),
        rows.map((r) => r.prevHash),
        rows.map((r) => r.hash),
      ],
    );
    rows = [];
  };

  /** `gap`: how long after the event before (on average, one step). */
  const add = async (event: Omit<Row, "seq" | "id" | "occurredAt" | "prevHash" | "hash">, gap = step) => {
    seq += 1n;
    clock += gap;
    const content = { ...event, id: randomUUID(), occurredAt: new Date(Math.floor(clock)) };
    const hash = chainHash(prevHash, content);
    rows.push({ ...content, seq, prevHash, hash });
    prevHash = hash;
    if (rows.length >= BATCH) await flush();
  };

  while (seq < BigInt(options.events)) {
    const user = pick(users);
    if (next() < 0.25) {
      await add({
        type: "session.signed_in",
        actorId: user.id,
        actorUpn: user.upn,
        subjectId: null,
        requestId: null,
        correlationId: randomUUID(),
        data: { roles: ["requester"], groupCount: 3, groupsSource: "token" },
      });
      continue;
    }
    const requestId = randomUUID();
    const cluster = pick(clusters);
    const role = pick(ROLES);
    const ticket = `INC${Math.floor(10_000 + next() * 90_000)}`;
    const justification = `${pick(WORDS)} on ${cluster} (${ticket})`;
    const isDenied = next() < 0.08;
    const isFailed = !isDenied && next() < 0.02;
    const status = isDenied ? "denied" : isFailed ? "failed" : next() < 0.3 ? "deactivated" : "expired";
    requests[0]!.push(requestId);
    requests[1]!.push(user.id);
    requests[2]!.push(cluster);
    requests[3]!.push(role);
    requests[4]!.push(status);
    requests[5]!.push(justification);
    requests[6]!.push(ticket);
    requests[7]!.push(new Date(Math.floor(clock + step)));
    const base = { subjectId: requestId, requestId, correlationId: randomUUID() };
    const on = { clusterName: cluster, roleName: role };
    const approver = pick(approvers.filter((a) => a.id !== user.id));
    const system = { actorId: null, actorUpn: null };
    await add({
      ...base,
      type: "request.created",
      actorId: user.id,
      actorUpn: user.upn,
      data: { ...on, from: null, to: "pending", actorKind: "user", justification, ticket },
    });
    if (isDenied) {
      await add({
        ...base,
        type: "request.denied",
        actorId: approver.id,
        actorUpn: approver.upn,
        data: { ...on, from: "pending", to: "denied", actorKind: "user", comment: "not during the change freeze" },
      });
      continue;
    }
    await add(
      {
        ...base,
        type: "request.approved",
        actorId: approver.id,
        actorUpn: approver.upn,
        data: { ...on, from: "pending", to: "approved", actorKind: "user", comment: "ok" },
      },
      // Approvals come after delays of every length (from nothing to two steps), as people's do:
      // the charts sort them.
      2 * step * next(),
    );
    await add({
      ...base,
      ...system,
      type: "request.activating",
      data: { ...on, from: "approved", to: "activating", actorKind: "system" },
    });
    for (const service of ["graph", "arm"] as const) {
      await add({
        ...base,
        ...system,
        type: "provider.call",
        data: {
          service,
          method: service === "graph" ? "POST" : "PUT",
          status: isFailed ? 500 : 201,
          providerRequestId: randomUUID(),
          durationMs: Math.floor(50 + next() * 400),
          operation: "apply",
        },
      });
    }
    if (isFailed) {
      await add({
        ...base,
        ...system,
        type: "request.activation_failed",
        data: {
          ...on,
          from: "activating",
          to: "failed",
          actorKind: "system",
          reason: "Entra ID failed temporarily (HTTP 500)",
        },
      });
      continue;
    }
    await add({
      ...base,
      ...system,
      type: "request.activated",
      data: { ...on, from: "activating", to: "active", actorKind: "system" },
    });
    const ended =
      status === "deactivated"
        ? { type: "request.deactivated", actorId: user.id, actorUpn: user.upn, to: "deactivated", actorKind: "user" }
        : { type: "request.expired", ...system, to: "expired", actorKind: "system" };
    await add({
      ...base,
      type: ended.type,
      actorId: ended.actorId,
      actorUpn: ended.actorUpn,
      data: { ...on, from: "active", to: ended.to, actorKind: ended.actorKind },
    });
  }
  await flush();
  await client.query(`SELECT setval(pg_get_serial_sequence('audit_events', 'seq'), $1::bigint)`, [seq.toString()]);
  // As autovacuum leaves a long-lived database: statistics, and the visibility map that index-only scans need.
  await client.query("VACUUM ANALYZE");
  return {
    events: Number(seq),
    users: users.length,
    clusters: clusters.length,
    sampleUser: users[7]!.upn,
    sampleCluster: clusters[3]!,
  };
}
