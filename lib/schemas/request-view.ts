/** A request as the API and the pages show it to one viewer: `RequestView`, and a page of them. */
import { z } from "zod";
import { REQUEST_STATUSES } from "@/lib/domain/request-state";
import { instant, nullableInstant, ZPerson } from "./fields";

export const ZRequestStatus = z.enum(REQUEST_STATUSES);

export const ZAccessCommand = z.strictObject({
  label: z.string().meta({ description: "What the command does." }),
  command: z.string().meta({ description: "The command line, to run as it is." }),
  // Optional: evidence packs made before notes existed still parse.
  note: z
    .string()
    .optional()
    .meta({ description: "What to know before running it (the cluster's posture: a private API server, SSH mode)." }),
});

const ZDecision = z.strictObject({
  outcome: z.enum(["approve", "deny"]),
  comment: z.string().nullable(),
  decidedAt: instant(),
  by: z.string().meta({ description: "The decider's display name." }),
  byUpn: z.string(),
});

const ZStepUpView = z.strictObject({
  maxAgeMinutes: z.int().min(1),
  authenticationContext: z
    .string()
    .regex(/^c[0-9]{1,2}$/)
    .nullable(),
});

const ZExtensionView = z.strictObject({
  isApprovalRequired: z
    .boolean()
    .meta({ description: "true: extending is a new request for approvers, not a call to `extend`." }),
  maxMoreMinutes: z
    .int()
    .min(0)
    .meta({ description: "How much longer the access may still last, within the role's maximum total." }),
});

const can = (description: string) => z.boolean().meta({ description });

export const ZRequestView = z.strictObject({
  id: z.guid(),
  clusterName: z.string(),
  roleName: z.string(),
  status: ZRequestStatus,
  statusLabel: z.string().meta({ description: "The status in words." }),
  durationMinutes: z.int().min(1),
  justification: z.string(),
  ticket: z.string().nullable(),
  startAt: nullableInstant("null: starts as soon as approved."),
  isBreakGlass: z.boolean(),
  isTicketOwed: z.boolean().meta({
    description: "Break-glass filed without the ticket its role requires: the review afterwards asks for it.",
  }),
  approvalsRequired: z.int().min(0),
  pendingExpiresAt: instant("When a request still pending times out."),
  activeFrom: nullableInstant("When the access period started, once activated."),
  activeUntil: nullableInstant("When the access period ends, once activated."),
  createdAt: instant(),
  requester: ZPerson,
  decisions: z.array(ZDecision),
  canDecide: can("Whether the caller may approve or deny it now."),
  cannotDecideReason: z.string().nullable().meta({ description: "Why not, in words." }),
  stepUp: ZStepUpView.nullable().meta({
    description:
      "Approving (and break-glass) needs a fresh sign-in: send `stepUpToken`, the ID token of a sign-in at most `maxAgeMinutes` old carrying `authenticationContext` (if not null) in `acrs`.",
  }),
  canCancel: can("Whether the caller may cancel it now."),
  canEndEarly: can("Whether the caller may end the active access now."),
  effectiveUntil: nullableInstant(
    "`activeUntil` plus the longest lifetime of access tokens issued before it (TOKEN_LIFETIME_MINUTES): when the access is surely unusable.",
  ),
  failureReason: z.string().nullable().meta({ description: "Why the activation failed, in the service's words." }),
  deferredRemoval: z.strictObject({ at: instant(), message: z.string() }).nullable().meta({
    description:
      "Access that ended but that PIM keeps for its minimum of 5 minutes after activation: when it is removed (`at`) and why, in words. Only when reading one request; null in lists.",
  }),
  canExtend: can("Whether the caller, the holder, may extend the active access now; `extension` says how."),
  extension: ZExtensionView.nullable().meta({
    description: "For the holder of active access whose role allows extensions: how they may extend it.",
  }),
  canRevoke: can("Whether the caller, an admin, may revoke it now."),
  canRetry: can("Whether the caller, an admin, may retry its failed activation now."),
  commands: z.array(ZAccessCommand).meta({
    description: "For the holder of active access: the commands that use it. Empty otherwise.",
  }),
});

export const ZRequestPage = z.strictObject({
  requests: z.array(ZRequestView),
  page: z.int().min(1).meta({ description: "This page's number." }),
  pageSize: z.int().min(1),
  hasNextPage: z.boolean().meta({ description: "Whether `page + 1` has more (older) requests." }),
});

export type RequestView = z.output<typeof ZRequestView>;
export type RequestPage = z.output<typeof ZRequestPage>;
export type AccessCommand = z.output<typeof ZAccessCommand>;
