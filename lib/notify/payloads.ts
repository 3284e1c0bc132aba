import { z } from "zod";

/**
 * What the notification pipeline stores and reads back: the events' data (notification_events) and
 * its jobs' data (pgboss.job). Each is parsed with its schema where it is read (readStoredJson), so a
 * row written by an older version, or by hand, fails with its name instead of sending a wrong message.
 */

export const NOTIFICATION_KINDS = [
  "request_filed",
  "break_glass",
  "request_decided",
  "activation_failed",
  "access_ending_soon",
  "pending_reminder",
  "pending_escalation",
  "access_active",
  "access_ended",
  "access_revoked",
  "approval_closed",
  "break_glass_review_overdue",
  "activity_after_end",
] as const;
export const ZNotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.output<typeof ZNotificationKind>;

/** decisions.outcome */
export const ZDecisionOutcome = z.enum(["approve", "deny"]);

/**
 * What an event adds to its request (notification_events.data): a decision's outcome and decider;
 * how access ended; a revocation's reason and whether the holder was signed out; why an approval
 * request closed without a decision.
 */
export const ZNotificationEventData = z.object({
  outcome: ZDecisionOutcome.optional(),
  /** the decider, or the admin who revoked (users.id) */
  actorId: z.guid().optional(),
  endedBy: z.enum(["expiry", "holder"]).optional(),
  reason: z.string().optional(),
  isSessionRevoked: z.boolean().optional(),
  /** a revocation of access that was active (else: it never started) */
  wasActive: z.boolean().optional(),
  closedBy: z.enum(["cancelled", "timed_out"]).optional(),
  /** activity after the access ended (lib/activity/): how much, and the first calls in words */
  afterEnd: z
    .object({
      calls: z.number().int().nonnegative(),
      signIns: z.number().int().nonnegative(),
      first: z.array(z.string()).max(5),
    })
    .optional(),
});
export type NotificationEventData = z.output<typeof ZNotificationEventData>;

/** The `notify` job: one recorded event to fan out. */
export const ZNotifyJob = z.object({
  /** the notification event's key (notification_events) */
  eventKey: z.string().min(1),
  requestId: z.guid(),
});
export type NotifyJob = z.output<typeof ZNotifyJob>;

/** The `notify-ending-soon` job. */
export const ZEndingSoonJob = z.object({
  requestId: z.guid(),
  /** the end this job warns about: an extension queues a new job and this one does nothing */
  activeUntil: z.iso.datetime(),
});
export type EndingSoonJob = z.output<typeof ZEndingSoonJob>;

export const ZFact = z.object({ title: z.string(), value: z.string() });
export type Fact = z.output<typeof ZFact>;

export const ZNotificationMessage = z.object({
  kind: ZNotificationKind,
  title: z.string(),
  text: z.string(),
  facts: z.array(ZFact),
  /** the app path, e.g. /requests/<id>, and the same as an absolute URL */
  linkPath: z.string(),
  url: z.string(),
  actionTitle: z.string(),
  /** break-glass and failures: channels show it as an alert */
  isUrgent: z.boolean(),
});
export type NotificationMessage = z.output<typeof ZNotificationMessage>;

const ZDeliveryBase = z.object({ requestId: z.guid(), eventKey: z.string().min(1), message: ZNotificationMessage });

/**
 * The `notify-deliver` job: an email to one person, or one post to a named webhook. The message is
 * written when the delivery is queued, so a retry sends the same words. Carries the webhook's name,
 * never its URL: jobs are listed to admins.
 */
export const ZDeliveryJob = z.discriminatedUnion("channel", [
  ZDeliveryBase.extend({
    channel: z.literal("email"),
    to: z.object({ address: z.string().min(1), name: z.string() }),
  }),
  ZDeliveryBase.extend({ channel: z.enum(["teams", "slack"]), webhook: z.string().min(1) }),
]);
export type DeliveryJob = z.output<typeof ZDeliveryJob>;

/**
 * A delivery job in words, for the admin's failed jobs: who missed which message ("Email to Priya
 * Raman (p01@contoso.com)", "Approval needed: admin on aks-prod-weu"). Null for any other job's data.
 */
export function describeDeliveryJob(data: unknown): { recipient: string; title: string } | null {
  const parsed = ZDeliveryJob.safeParse(data);
  if (!parsed.success) return null;
  const job = parsed.data;
  const recipient =
    job.channel === "email"
      ? `Email to ${job.to.name ? `${job.to.name} (${job.to.address})` : job.to.address}`
      : `${job.channel === "teams" ? "Teams" : "Slack"} post to the "${job.webhook}" webhook`;
  return { recipient, title: job.message.title };
}
