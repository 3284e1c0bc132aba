/**
 * Checks an evidence pack offline: every event of the request matches its hash, and they all sit
 * in one unbroken run of the chain, whose last hash can be compared with a later full verification.
 * Pure: no database; `npm run audit:verify -- --pack FILE` runs it.
 */
import { ZActivitySummary } from "@/lib/activity/types";
import { canonicalJson, chainHash } from "./chain";
import {
  EVIDENCE_FORMAT,
  EVIDENCE_FORMATS,
  type EvidencePack,
  type PackActivity,
  type PackEvent,
  type PostureAtGrant,
} from "@/lib/schemas/evidence-pack";
import { csvLine } from "./csv";

// The pack's shape is described once, by the schema the API returns it with.
export { EVIDENCE_FORMAT, type EvidencePack, type PackEvent, type PostureAtGrant } from "@/lib/schemas/evidence-pack";

export type PackCheck =
  | {
      isValid: true;
      events: number;
      links: number;
      fromSeq: string;
      toSeq: string;
      anchorHash: string;
      /** format /2: the posture at the grant, in words; null when access never began */
      posture?: string | null;
      /** format /3: the activity summary, in words; null when none was made */
      activity?: string | null;
    }
  | { isValid: false; problem: string };

export const POSTURE_EVENT_TYPE = "posture.changed";
export const ACTIVITY_EVENT_TYPE = "activity.summarised";

/** The activity a pack shows: the latest `activity.summarised` event among its events, its summary as recorded. */
export function activityOf(events: readonly PackEvent[]): PackActivity | null {
  const event = events.filter((e) => e.type === ACTIVITY_EVENT_TYPE).at(-1);
  if (!event) return null;
  return { summary: ZActivitySummary.parse(event.data), eventSeq: event.seq };
}
export const NOT_CHECKED = "not checked before this grant";

/** A `posture.changed` event's data ({clusterName, changes, facts, findings, standing}) in words. */
export function describePosture(event: Pick<PackEvent, "occurredAt" | "seq" | "data">): string {
  const data = (event.data ?? {}) as {
    findings?: unknown;
    standing?: { principals?: unknown } | null;
    error?: unknown;
  };
  const findings = Array.isArray(data.findings) ? data.findings.length : 0;
  const principals = Array.isArray(data.standing?.principals) ? data.standing.principals.length : null;
  const standing = principals === null ? "standing access not read" : `${principals} standing principal(s)`;
  return `checked at ${new Date(event.occurredAt).toISOString()} (audit seq ${event.seq}): ${findings} finding(s), ${standing}`;
}

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
  if (!(EVIDENCE_FORMATS as readonly string[]).includes(pack.format)) {
    return fail(`not an evidence pack of format ${EVIDENCE_FORMATS.join(" or ")}`);
  }
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
  let posture: string | null | undefined;
  if (pack.format !== "aks-jit-evidence/1") {
    const problem = checkPostureAtGrant(pack, links);
    if (problem) return fail(problem);
    posture = pack.postureAtGrant ? pack.postureAtGrant.summary : null;
  }
  let activity: string | null | undefined;
  if (pack.format === EVIDENCE_FORMAT) {
    const problem = checkActivity(pack);
    if (problem) return fail(problem);
    activity = pack.activity ? describeActivity(pack.activity) : null;
  }
  const last = pack.chain.at(-1)!;
  return {
    isValid: true,
    events: pack.events.length,
    links: pack.chain.length,
    fromSeq: pack.chain[0]!.seq,
    toSeq: last.seq,
    anchorHash: last.hash,
    ...(posture === undefined ? {} : { posture }),
    ...(activity === undefined ? {} : { activity }),
  };
}

/** A pack's activity in words: "summarised at …: 7 calls, 1 after the end …" or why it is unavailable. */
export function describeActivity(activity: PackActivity): string {
  const { summary, eventSeq } = activity;
  const k = summary.kubernetes;
  const what = k
    ? `${k.totalCalls} Kubernetes call(s) in ${k.table}: ${k.sensitiveCalls} sensitive, ${k.deniedCalls} denied, ${k.afterEndCalls} after the end`
    : `unavailable (${summary.problems.map((p) => p.code).join(", ")})`;
  const signIns = summary.nodeSignIns ? `; ${summary.nodeSignIns.total} node sign-in(s)` : "";
  return `read at ${summary.queriedAt} (audit seq ${eventSeq}${summary.window.isComplete ? "" : ", incomplete"}): ${what}${signIns}`;
}

/**
 * The activity a /3 pack shows must be what the request's latest `activity.summarised` event among
 * its (hash-checked) events records: editing the summary fails here, editing the event fails its hash.
 */
function checkActivity(pack: EvidencePack): string | undefined {
  if (pack.activity === undefined) return "it has no activity, which its format requires";
  let expected: PackActivity | null;
  try {
    expected = activityOf(pack.events);
  } catch {
    return "its activity event does not hold an activity summary";
  }
  if (pack.activity === null) return expected ? "it leaves out the activity summary its events hold" : undefined;
  if (!expected) return "its activity summary has no activity event among its events";
  if (pack.activity.eventSeq !== expected.eventSeq) {
    return `its activity summary is not the latest activity event's (seq ${expected.eventSeq})`;
  }
  if (canonicalJson(pack.activity.summary) !== canonicalJson(expected.summary)) {
    return `its activity summary does not match its activity event seq ${expected.eventSeq}`;
  }
  return undefined;
}

/**
 * The posture a /2 pack shows for the grant must be a `posture.changed` event of the request's
 * cluster, unchanged, at its place in the chain, from before the access began, and its summary must
 * say what the event says. (That no later check came before the grant is the maker's word: the pack
 * holds other events' hashes, not their content.)
 */
function checkPostureAtGrant(pack: EvidencePack, links: Map<string, { prevHash: string; hash: string }>) {
  if (pack.postureAtGrant === undefined) return "it has no postureAtGrant, which its format requires";
  const posture: PostureAtGrant | null = pack.postureAtGrant;
  if (posture === null) return pack.request.activeFrom ? "it leaves out the posture at the grant" : undefined;
  if (posture.clusterName !== pack.request.clusterName) return "its posture is another cluster's";
  const event = posture.event;
  if (!event) return posture.summary === NOT_CHECKED ? undefined : "its posture summary names no posture event";
  const data = (event.data ?? {}) as { clusterName?: unknown };
  if (event.type !== POSTURE_EVENT_TYPE || data.clusterName !== posture.clusterName) {
    return `its posture event seq ${event.seq} is not a posture check of ${posture.clusterName}`;
  }
  if (chainHash(event.prevHash, event) !== event.hash) {
    return `its posture event seq ${event.seq} does not match its hash: its content was changed`;
  }
  const link = links.get(event.seq);
  if (!link || link.hash !== event.hash || link.prevHash !== event.prevHash) {
    return `its posture event seq ${event.seq} is not the event the chain holds at that place`;
  }
  if (new Date(event.occurredAt).getTime() > new Date(posture.grantedAt).getTime()) {
    return `its posture event seq ${event.seq} comes after the grant`;
  }
  if (posture.summary !== describePosture(event)) return "its posture summary does not match its posture event";
  return undefined;
}
