/**
 * Walks the audit history in `seq` order and checks every link of the hash chain. Independent of
 * the app's database client (a query function comes in), so that `npm run audit:verify` needs
 * nothing but a connection string. Run it inside one snapshot (REPEATABLE READ) when retention may
 * run meanwhile: it reads the checkpoints first and the events after.
 *
 * After retention removed old months, the chain starts after the latest signed checkpoint: the
 * first remaining event must link to the checkpoint's hash of the last removed event, and every
 * checkpoint must carry a valid signature by `checkpointKey` (lib/audit/checkpoint.ts).
 */
import type { KeyObject } from "node:crypto";
import { GENESIS_HASH, verifyRun, type ChainBreak } from "./chain";
import { checkCheckpoints, type StoredCheckpoint } from "./checkpoint";

export type Query = (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Where the remaining chain begins: after the last event the latest retention removed. */
export interface ChainStart {
  checkpointId: string;
  seq: string;
  hash: string;
  createdAt: string;
  olderThan: string;
  removedEvents: string;
  keyId: string;
}

export interface ChainReport {
  /** chained events checked */
  events: number;
  /** events recorded before the chain began (before the migration that added it) */
  unchained: number;
  isIntact: boolean;
  broken: ChainBreak | null;
  /** the last event checked, and its hash: an anchor to compare with a later run */
  lastSeq: string | null;
  lastHash: string | null;
  /** retention checkpoints checked, and the latest, after which the chain starts (null: from genesis) */
  checkpoints: number;
  startsAfter: ChainStart | null;
  durationMs: number;
}

export interface VerifyOptions {
  /** the Ed25519 public key retention checkpoints are signed with; without it none can be trusted */
  checkpointKey?: KeyObject | null;
}

const BATCH = 5_000;

export async function verifyAuditChain(query: Query, options: VerifyOptions = {}): Promise<ChainReport> {
  const started = performance.now();
  const checkpoints = await readCheckpoints(query);
  const latest = checkpoints.at(-1) ?? null;
  const startsAfter = latest && toStart(latest);
  let previousHash = latest?.throughHash ?? GENESIS_HASH;
  let afterSeq = startsAfter?.seq ?? "0";
  let events = 0;
  let unchained = 0;
  // A checkpoint at an event recorded before the chain began carries the genesis hash: the events
  // after it may still be unchained ones.
  let hasChainBegun = previousHash !== GENESIS_HASH;
  const report = (broken: ChainBreak | null): ChainReport => ({
    events,
    unchained,
    isIntact: broken === null,
    broken,
    lastSeq: events > 0 ? afterSeq : null,
    lastHash: events > 0 ? previousHash : null,
    checkpoints: checkpoints.length,
    startsAfter,
    durationMs: Math.round(performance.now() - started),
  });

  const checkpointBreak = checkCheckpoints(checkpoints, options.checkpointKey ?? null);
  if (checkpointBreak) return report(checkpointBreak);
  if (startsAfter) {
    const leftover = await eventRemovedByCheckpoint(query, startsAfter);
    if (leftover) return report(leftover);
  }

  for (;;) {
    // Keyset pagination: constant cost per batch, however long the history. (Qualified: `seq` alone
    // would order by the text alias below.)
    const rows = await query(
      `SELECT seq::text AS seq, id::text AS id, occurred_at AS "occurredAt", type, actor_id::text AS "actorId",
              actor_upn AS "actorUpn", subject_id AS "subjectId", request_id::text AS "requestId",
              correlation_id AS "correlationId", data, prev_hash AS "prevHash", hash
         FROM audit_events WHERE audit_events.seq > $1::bigint ORDER BY audit_events.seq LIMIT ${BATCH}`,
      [afterSeq],
    );
    if (rows.length === 0) return report(null);
    let run = rows as unknown as Parameters<typeof verifyRun>[1];
    if (!hasChainBegun) {
      const firstChained = run.findIndex((row) => row.hash !== null);
      unchained += firstChained === -1 ? run.length : firstChained;
      if (firstChained === -1) {
        afterSeq = run.at(-1)!.seq;
        continue;
      }
      hasChainBegun = true;
      run = run.slice(firstChained);
    }
    const result = verifyRun(previousHash, run);
    if (!result.isIntact) {
      events += run.findIndex((row) => row.seq === result.broken.seq);
      return report(result.broken);
    }
    events += run.length;
    previousHash = result.lastHash;
    afterSeq = run.at(-1)!.seq;
  }
}

async function readCheckpoints(query: Query): Promise<StoredCheckpoint[]> {
  const rows = await query(
    `SELECT id::text AS id, created_at AS "createdAt", through_seq::text AS "throughSeq", through_hash AS "throughHash",
            through_occurred_at AS "throughOccurredAt", removed_events::text AS "removedEvents",
            older_than AS "olderThan", key_id AS "keyId", signature, previous_id::text AS "previousId"
       FROM audit_checkpoints ORDER BY audit_checkpoints.through_seq`,
    [],
  );
  return rows as unknown as StoredCheckpoint[];
}

function toStart(checkpoint: StoredCheckpoint): ChainStart {
  return {
    checkpointId: checkpoint.id,
    seq: BigInt(checkpoint.throughSeq).toString(),
    hash: checkpoint.throughHash,
    createdAt: new Date(checkpoint.createdAt).toISOString(),
    olderThan: new Date(checkpoint.olderThan).toISOString(),
    removedEvents: BigInt(checkpoint.removedEvents).toString(),
    keyId: checkpoint.keyId,
  };
}

/** Retention removes every event up to its checkpoint in the same transaction: one still there was put back. */
async function eventRemovedByCheckpoint(query: Query, start: ChainStart): Promise<ChainBreak | null> {
  const [row] = await query(
    `SELECT seq::text AS seq FROM audit_events WHERE audit_events.seq <= $1::bigint ORDER BY audit_events.seq LIMIT 1`,
    [start.seq],
  );
  if (!row) return null;
  return {
    seq: String(row.seq),
    reason: `it is recorded although checkpoint ${start.checkpointId} says every event up to seq ${start.seq} was removed`,
  };
}
