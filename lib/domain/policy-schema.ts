/**
 * A role's policy as the domain sees it, as a schema: the types in policy-types.ts are inferred from
 * it, and the API documents and checks the policy it returns with it. Durations are whole minutes.
 * Loaded from the access catalog (lib/config/catalog.ts), evaluated by lib/domain/policy.ts.
 */
import { z } from "zod";

const minutes = (description: string) => z.int().min(0).meta({ description });
const groupIds = (description: string) => z.array(z.guid()).meta({ description });

export const ZTextRule = z
  .strictObject({
    isRequired: z.boolean(),
    pattern: z.string().optional().meta({ description: "A regular expression the whole value must match." }),
    message: z.string().optional().meta({ description: "What to tell the requester when the pattern does not match." }),
  })
  .meta({ description: "Whether a text field is required, and the pattern it must match." });

export const ZStepUpRule = z
  .strictObject({
    maxAgeMinutes: z
      .int()
      .min(1)
      .meta({ description: "The newest sign-in (`auth_time`) may be at most this old when deciding." }),
    authenticationContext: z
      .string()
      .regex(/^c[0-9]{1,2}$/)
      .optional()
      .meta({ description: 'A Conditional Access authentication context id (`acrs` claim), e.g. "c1".' }),
  })
  .meta({
    description:
      "Approving and break-glass need a fresh sign-in (and an authentication context, if named). Absent: they do not.",
  });

export const ZExtensionRule = z
  .strictObject({
    isAllowed: z.boolean(),
    maxTotalMinutes: minutes("The longest the access may last in all, counted from its start."),
    isApprovalRequired: z.boolean().meta({
      description: "true: extending is a new request for approvers, which joins the current access when approved.",
    }),
  })
  .meta({ description: "Whether the holder may extend active access, and how far." });

export const ZRolePolicy = z
  .strictObject({
    eligibleGroupIds: groupIds("Entra group object ids whose members may request the role."),
    approverGroupIds: groupIds("Entra group object ids whose members may approve it."),
    approvalsRequired: z
      .int()
      .min(0)
      .meta({ description: "0: self-activation, approved by policy; N: N distinct approvers." }),
    maxDurationMinutes: minutes("The longest duration a request may ask for."),
    defaultDurationMinutes: minutes("The duration suggested to requesters."),
    justification: ZTextRule,
    ticket: ZTextRule,
    pendingTimeoutMinutes: minutes("A request without enough approvals after this long times out."),
    isScheduledStartAllowed: z.boolean(),
    maxStartAheadMinutes: minutes("How far ahead `startAt` may be, when scheduled starts are allowed."),
    isBreakGlassAllowed: z.boolean(),
    breakGlassReviewWithinMinutes: minutes(
      "Break-glass access is to be reviewed within this long of filing; overdue reviews are escalated. Absent: one day.",
    ).optional(),
    extension: ZExtensionRule,
    isSessionRevokedOnEnd: z.boolean().meta({
      description: "Ending access early or revoking it also revokes the holder's Entra ID sign-in sessions.",
    }),
    stepUp: ZStepUpRule.optional(),
  })
  .meta({ description: "A role's policy, as in the access catalog; durations in whole minutes." });
