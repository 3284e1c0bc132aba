/**
 * A request's evidence pack: the request, its audit events with their hashes, and the run of the
 * chain that covers them. Checked offline by `npm run audit:verify -- --pack FILE`
 * (lib/audit/evidence-check.ts), so its shape is a file format: change it only with EVIDENCE_FORMAT.
 */
import { z } from "zod";
import { ZActivitySummary } from "@/lib/activity/types";
import { eventData } from "./audit-event";
import { instant } from "./fields";
import { ZRequestView } from "./request-view";

/** The format packs are made in: /2 adds `postureAtGrant`, /3 adds `activity`. */
export const EVIDENCE_FORMAT = "aks-jit-evidence/3";
/** Every format a pack may have: a pack taken before a change of format stays verifiable. */
export const EVIDENCE_FORMATS = ["aks-jit-evidence/1", "aks-jit-evidence/2", EVIDENCE_FORMAT] as const;

const ZChainLink = z.strictObject({ seq: z.string(), prevHash: z.string(), hash: z.string() });

/** One event as it was chained (lib/audit/chain.ts ChainedContent), with its place and hashes. */
export const ZPackEvent = z.strictObject({
  seq: z.string(),
  id: z.guid(),
  occurredAt: instant(),
  type: z.string(),
  actorId: z.string().nullable(),
  actorUpn: z.string().nullable(),
  subjectId: z.string().nullable(),
  requestId: z.string().nullable(),
  correlationId: z.string().nullable(),
  data: eventData("What the event records, as it was hashed."),
  prevHash: z.string(),
  hash: z.string(),
});

/**
 * The cluster's posture and standing-access map when the request's access began: the latest
 * `posture.changed` audit event for the cluster before then, as it was chained (its data holds
 * {clusterName, facts, findings, standing, change}), or none when the cluster had not been checked.
 */
export const ZPostureAtGrant = z.strictObject({
  clusterName: z.string(),
  grantedAt: instant("When the request's access began."),
  summary: z
    .string()
    .meta({ description: 'In words: when it was checked and what it found, or "not checked before this grant".' }),
  event: ZPackEvent.nullable().meta({
    description:
      "The `posture.changed` event, with its hashes; the pack's chain runs from it or from the request's first event.",
  }),
});

/**
 * What the holder did with the access: the request's latest `activity.summarised` event's summary
 * (lib/activity/types.ts), which the pack's events hold with its hashes; checked to say exactly what
 * that event says.
 */
export const ZPackActivity = z.strictObject({
  summary: ZActivitySummary,
  eventSeq: z.string().meta({ description: "The `activity.summarised` event among `events` that recorded it." }),
});

export const ZEvidencePack = z
  .strictObject({
    format: z.enum(EVIDENCE_FORMATS),
    generatedAt: instant(),
    generatedBy: z.string(),
    requestId: z.guid(),
    request: ZRequestView.meta({ description: "The request as AKS JIT showed it when the pack was made." }),
    events: z
      .array(ZPackEvent)
      .meta({ description: "Every audit event of the request, in chain order, with its content and hashes." }),
    eventsCsv: z.string().meta({
      description: "The same events as CSV, for a spreadsheet: checked to say exactly what `events` says.",
    }),
    chain: z.array(ZChainLink).meta({
      description:
        "Every link of the chain from the request's first event (or the posture event, if earlier) to its last, other events' content left out.",
    }),
    postureAtGrant: ZPostureAtGrant.nullable()
      .optional()
      .meta({ description: "Format /2: the posture at the time of the grant; null when access never began." }),
    activity: ZPackActivity.nullable()
      .optional()
      .meta({ description: "Format /3: the latest activity summary of the request; null when none was made." }),
  })
  .meta({ description: "Checked offline by `npm run audit:verify -- --pack FILE`." });

export type PackEvent = z.output<typeof ZPackEvent>;
export type EvidencePack = z.output<typeof ZEvidencePack>;
export type PostureAtGrant = z.output<typeof ZPostureAtGrant>;
export type PackActivity = z.output<typeof ZPackActivity>;
