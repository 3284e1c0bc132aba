/**
 * The audit history's hash chain. Each event's hash covers its canonical content and the hash of
 * the event before it, so that changing, inserting or removing a recorded event breaks every link
 * after it. Pure: used by the writer, the verifier and anyone checking an export offline.
 */
import { createHash } from "node:crypto";

/** The hash the first chained event links to. */
export const GENESIS_HASH = "0".repeat(64);

/** What the hash covers: every recorded field except the sequence number, which the database assigns. */
export interface ChainedContent {
  id: string;
  occurredAt: Date | string;
  type: string;
  actorId: string | null;
  actorUpn: string | null;
  subjectId: string | null;
  requestId: string | null;
  correlationId: string | null;
  data: unknown;
}

/**
 * JSON with object keys sorted and no whitespace, `undefined` left out as JSON.stringify does:
 * the same value always gives the same text, whatever order its keys were written or stored in
 * (PostgreSQL's jsonb reorders them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/** The text a link's hash covers after the previous hash and a newline: only the chained fields, canonical. */
export function chainedText(content: ChainedContent): string {
  // Named one by one: a row read back carries more (seq, the hashes).
  const covered: ChainedContent = {
    id: content.id,
    occurredAt: new Date(content.occurredAt).toISOString(),
    type: content.type,
    actorId: content.actorId,
    actorUpn: content.actorUpn,
    subjectId: content.subjectId,
    requestId: content.requestId,
    correlationId: content.correlationId,
    data: content.data,
  };
  return canonicalJson(covered);
}

export function chainHash(previousHash: string, content: ChainedContent): string {
  return createHash("sha256").update(previousHash).update("\n").update(chainedText(content)).digest("hex");
}

export type ChainBreak = { seq: string; reason: string };

/**
 * Checks a run of events in sequence order against the hash before them. Returns the first broken
 * link, or the hash the next run must start from.
 */
export function verifyRun(
  previousHash: string,
  events: Array<ChainedContent & { seq: string; prevHash: string | null; hash: string | null }>,
): { isIntact: true; lastHash: string } | { isIntact: false; broken: ChainBreak } {
  let expectedPrevious = previousHash;
  for (const event of events) {
    if (event.hash === null || event.prevHash === null) {
      return { isIntact: false, broken: { seq: event.seq, reason: "the event carries no hash" } };
    }
    if (event.prevHash !== expectedPrevious) {
      return {
        isIntact: false,
        broken: {
          seq: event.seq,
          reason: "it does not link to the event before it (an event before it was removed, inserted or changed)",
        },
      };
    }
    if (chainHash(event.prevHash, event) !== event.hash) {
      return {
        isIntact: false,
        broken: { seq: event.seq, reason: "its content does not match its hash (it was changed)" },
      };
    }
    expectedPrevious = event.hash;
  }
  return { isIntact: true, lastHash: expectedPrevious };
}
