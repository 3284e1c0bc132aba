/**
 * Walks the audit history in `seq` order and checks every link of the hash chain. Independent of
 * the app's database client (a query function comes in), so that `npm run audit:verify` needs
 * nothing but a connection string.
 */
import { GENESIS_HASH, verifyRun, type ChainBreak } from "./chain";

export type Query = (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

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
  durationMs: number;
}

const BATCH = 5_000;

export async function verifyAuditChain(query: Query): Promise<ChainReport> {
  const started = performance.now();
  let previousHash = GENESIS_HASH;
  let afterSeq = "0";
  let events = 0;
  let unchained = 0;
  let hasChainBegun = false;
  const report = (broken: ChainBreak | null): ChainReport => ({
    events,
    unchained,
    isIntact: broken === null,
    broken,
    lastSeq: events > 0 ? afterSeq : null,
    lastHash: events > 0 ? previousHash : null,
    durationMs: Math.round(performance.now() - started),
  });
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
