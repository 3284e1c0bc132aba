/** Inputs of the access use cases, parsed at every edge (forms, API) with the same schemas. */
import { z } from "zod";
import { instant, text } from "@/lib/validation/fields";

/** An ID token (a JWT) from a fresh sign-in; verified by lib/auth/step-up.ts, only its size is checked here. */
const STEP_UP_TOKEN = text("the step-up token")
  .trim()
  .max(16_000, "The step-up token is too long to be an ID token.")
  .optional()
  .transform((v) => v || undefined);

export const ZRequestAccessInput = z.object({
  cluster: text("the cluster")
    .trim()
    .min(1, "Choose a cluster.")
    .meta({ description: "The cluster's name in the catalog, e.g. aks-prod-weu." }),
  role: text("the role")
    .trim()
    .min(1, "Choose a role.")
    .meta({ description: "The role's name on that cluster, e.g. admin." }),
  duration: text("the duration")
    .trim()
    .min(1, "Choose a duration.")
    .meta({ description: "ISO 8601 days, hours and minutes, e.g. PT1H or PT1H30M; at most the role's maximum." }),
  justification: text("the justification")
    .trim()
    .max(2000, "Keep the justification under 2000 characters.")
    .default("")
    .meta({ description: "Why the access is needed; required by most policies." }),
  ticket: text("the ticket")
    .trim()
    .max(100, "Keep the ticket under 100 characters.")
    .optional()
    .transform((v) => v || undefined)
    .meta({ description: "An incident or change reference, when the policy asks for one (its pattern applies)." }),
  startAt: instant("the start").nullish().meta({
    description: "A later start with its offset, where the policy allows scheduled starts; absent or null: now.",
  }),
  breakGlass: z.boolean().default(false).meta({
    description: "Emergency access without approval, where allowed: needs a justification and is reviewed.",
  }),
  stepUpToken: STEP_UP_TOKEN.meta({
    description:
      "Break-glass on a role whose policy has `stepUp`: the ID token of the caller's fresh sign-in, as for approving.",
  }),
});
export type TRequestAccessInput = z.input<typeof ZRequestAccessInput>;

export const ZDecisionInput = z.object({
  comment: text("the comment")
    .trim()
    .max(2000, "Keep the comment under 2000 characters.")
    .default("")
    .meta({ description: "Shown to the requester and kept in the audit trail; required to deny." }),
});
export type TDecisionInput = z.input<typeof ZDecisionInput>;

/** Approving may need step-up (the role's policy says); denying never does: refusing access grants nothing. */
export const ZApproveInput = ZDecisionInput.extend({
  comment: ZDecisionInput.shape.comment.meta({ description: "Shown to the requester and kept in the audit trail." }),
  stepUpToken: STEP_UP_TOKEN.meta({
    description:
      "Required when the role's policy has `stepUp`: the ID token of the caller's fresh sign-in (prompt=login, with the policy's authentication context in the `claims` request parameter), no older than the policy's `maxAge`.",
  }),
});
export type TApproveInput = z.input<typeof ZApproveInput>;

export const ZExtendInput = z.object({
  duration: text("the duration").trim().min(1, "Choose how much longer you need the access.").meta({
    description:
      "How much longer, ISO 8601 days, hours and minutes, e.g. PT30M or PT1H; the whole access may last at most the role's maximum total.",
  }),
});
export type TExtendInput = z.input<typeof ZExtendInput>;

export const ZRevokeInput = z.object({
  reason: text("the reason")
    .trim()
    .min(1, "Say why you revoke the access: the holder and the auditors see it.")
    .max(2000, "Keep the reason under 2000 characters.")
    .meta({ description: "Why the access is taken away; the holder and the auditors see it." }),
  endSessions: z.boolean().default(false).meta({
    description:
      "Also revoke the holder's Entra ID sign-in sessions (refresh tokens); the role's policy may ask for it anyway.",
  }),
});
export type TRevokeInput = z.input<typeof ZRevokeInput>;

/** Marking break-glass access reviewed (lib/access/review-break-glass.ts). */
export const ZReviewBreakGlassInput = z.object({
  note: text("the note")
    .trim()
    .min(1, "Write what you checked: the note is kept in the audit trail.")
    .max(2000, "Keep the note under 2000 characters.")
    .meta({ description: "What the reviewer checked and concluded; kept in the audit trail." }),
  ticket: text("the ticket")
    .trim()
    .max(100, "Keep the ticket under 100 characters.")
    .optional()
    .transform((v) => v || undefined)
    .meta({ description: "The late ticket, where the break-glass request was filed without one." }),
  noTicketReason: text("the reason")
    .trim()
    .max(500, "Keep the reason under 500 characters.")
    .optional()
    .transform((v) => v || undefined)
    .meta({ description: "Why no ticket exists, instead of the late ticket." }),
});
export type TReviewBreakGlassInput = z.input<typeof ZReviewBreakGlassInput>;
