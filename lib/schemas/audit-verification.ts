/** A check of the whole audit chain, as the API and the Audit page show it. */
import { z } from "zod";
import { instant } from "./fields";

export const ZAuditVerification = z.strictObject({
  ranAt: instant(),
  ranBy: z.string().nullable().meta({ description: "Who ran it." }),
  events: z.int().min(0).meta({ description: "Chained events checked (up to the first broken link)." }),
  unchained: z.int().min(0).meta({ description: "Events recorded before the chain began." }),
  isIntact: z.boolean(),
  broken: z
    .strictObject({ seq: z.string(), reason: z.string() })
    .nullable()
    .meta({ description: "The first broken link: the event's sequence number and what is wrong with it." }),
  lastSeq: z.string().nullable().meta({ description: "The last event checked: an anchor for a later run." }),
  lastHash: z.string().nullable().meta({ description: "Its hash." }),
  durationMs: z.int().min(0),
});

export type VerificationView = z.output<typeof ZAuditVerification>;
