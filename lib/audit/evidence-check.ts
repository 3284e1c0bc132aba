/**
 * Checks an evidence pack offline: every event of the request matches its hash, and they all sit
 * in one unbroken run of the chain, whose last hash can be compared with a later full verification.
 * Pure: no database; `npm run audit:verify -- --pack FILE` runs it.
 */
import { canonicalJson, chainHash } from "./chain";
import { EVIDENCE_FORMAT, type EvidencePack, type PackEvent } from "@/lib/schemas/evidence-pack";
import { csvLine } from "./csv";

// The pack's shape is described once, by the schema the API returns it with.
export { EVIDENCE_FORMAT, type EvidencePack, type PackEvent } from "@/lib/schemas/evidence-pack";

export type PackCheck =
  | { isValid: true; events: number; links: number; fromSeq: string; toSeq: string; anchorHash: string }
  | { isValid: false; problem: string };

const CSV_COLUMNS = [
  "seq",
  "occurredAt",
  "type",
  "actorUpn",
  "actorId",
  "requestId",
  "correlationId",
  "data",
  "prevHash",
  "hash",
] as const;

/** A pack's events as CSV, one row per event; `data` as canonical JSON. */
export function eventsAsCsv(events: PackEvent[]): string {
  const row = (event: PackEvent) =>
    csvLine(
      CSV_COLUMNS.map((column) => {
        const value = event[column];
        if (column === "data") return canonicalJson(value);
        return value instanceof Date ? value.toISOString() : value === null ? "" : String(value);
      }),
    );
  return csvLine(CSV_COLUMNS) + events.map(row).join("");
}

export function checkEvidencePack(pack: EvidencePack): PackCheck {
  const fail = (problem: string): PackCheck => ({ isValid: false, problem });
  if (pack.format !== EVIDENCE_FORMAT) return fail(`not an evidence pack of format ${EVIDENCE_FORMAT}`);
  if (pack.events.length === 0 || pack.chain.length === 0) return fail("the pack holds no events");
  for (let i = 1; i < pack.chain.length; i += 1) {
    const link = pack.chain[i]!;
    if (link.prevHash !== pack.chain[i - 1]!.hash) {
      return fail(`the chain is broken at seq ${link.seq}: it does not link to seq ${pack.chain[i - 1]!.seq}`);
    }
  }
  const links = new Map(pack.chain.map((link) => [link.seq, link]));
  for (const event of pack.events) {
    if (event.requestId !== pack.requestId) return fail(`event seq ${event.seq} belongs to another request`);
    if (chainHash(event.prevHash, event) !== event.hash) {
      return fail(`event seq ${event.seq} does not match its hash: its content was changed`);
    }
    const link = links.get(event.seq);
    if (!link || link.hash !== event.hash || link.prevHash !== event.prevHash) {
      return fail(`event seq ${event.seq} is not the event the chain holds at that place`);
    }
  }
  // The CSV is a second copy for people: it must not say anything the checked events do not.
  if (pack.eventsCsv !== eventsAsCsv(pack.events)) return fail("its CSV does not match its events");
  const last = pack.chain.at(-1)!;
  return {
    isValid: true,
    events: pack.events.length,
    links: pack.chain.length,
    fromSeq: pack.chain[0]!.seq,
    toSeq: last.seq,
    anchorHash: last.hash,
  };
}
