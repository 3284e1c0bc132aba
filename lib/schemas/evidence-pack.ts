/**
 * A request's evidence pack: the request, its audit events with their hashes, and the run of the
 * chain that covers them. Checked offline by `npm run audit:verify -- --pack FILE`
 * (lib/audit/evidence-check.ts), so its shape is a file format: change it only with EVIDENCE_FORMAT.
 */
import { z } from "zod";
import { eventData } from "./audit-event";
import { instant } from "./fields";
import { ZRequestView } from "./request-view";

export const EVIDENCE_FORMAT = "aks-jit-evidence/1";

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

export const ZEvidencePack = z
  .strictObject({
    format: z.literal(EVIDENCE_FORMAT),
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
        "Every link of the chain from the request's first event to its last, other requests' content left out.",
    }),
  })
  .meta({ description: "Checked offline by `npm run audit:verify -- --pack FILE`." });

export type PackEvent = z.output<typeof ZPackEvent>;
export type EvidencePack = z.output<typeof ZEvidencePack>;
