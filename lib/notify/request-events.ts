import "server-only";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queues";
import { jobIdFor } from "./job-id";
import { resolveApprovalItems } from "./resolve-approvals";
import type { EndingSoonJob, NotificationEventData, NotificationKind, NotifyJob } from "./payloads";

/**
 * The notifications a state change raises, written in the change's own transaction (the outbox,
 * lib/jobs/outbox.ts): they commit with it or not at all. Each event is recorded once under its key
 * (a repeated call is a no-op) together with its `notify` job, which reads the recipients from Graph
 * later and queues one delivery per person and channel.
 */

type Tx = Prisma.TransactionClient;

/** Records the event and queues its fan-out in `tx`; false when the key was recorded before. */
export async function recordNotificationEvent(
  tx: Tx,
  key: string,
  kind: NotificationKind,
  requestId: string,
  data: NotificationEventData = {},
): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO notification_events (key, kind, request_id, data)
    VALUES (${key}, ${kind}, ${requestId}::uuid, ${JSON.stringify(data)}::jsonb)
    ON CONFLICT (key) DO NOTHING`;
  if (inserted === 0) return false;
  const job: NotifyJob = { eventKey: key, requestId };
  await enqueue(tx, QUEUES.notify, job);
  return true;
}

/** A new request: its approvers hear of it; break-glass goes to every approver and auditor at once. */
export async function notifyRequestFiled(
  tx: Tx,
  request: { id: string; isBreakGlass: boolean; approvalsRequired: number },
): Promise<void> {
  // Self-activation asks nobody for anything.
  if (request.approvalsRequired === 0 && !request.isBreakGlass) return;
  if (request.isBreakGlass) await recordNotificationEvent(tx, `break-glass:${request.id}`, "break_glass", request.id);
  else await recordNotificationEvent(tx, `filed:${request.id}`, "request_filed", request.id);
}

/** A decision: the requester and the other approvers hear who decided ("already approved by p01"). */
export async function notifyDecision(
  tx: Tx,
  requestId: string,
  outcome: "approve" | "deny",
  actorId: string,
): Promise<void> {
  await recordNotificationEvent(tx, `decided:${requestId}:${actorId}`, "request_decided", requestId, {
    outcome,
    actorId,
  });
}

/** The activation gave up: the requester and the platform admins hear why. `attempt` tells retried activations apart. */
export async function notifyActivationFailed(tx: Tx, requestId: string, attempt: string): Promise<void> {
  await recordNotificationEvent(tx, `activation-failed:${requestId}:${attempt}`, "activation_failed", requestId);
}

/**
 * The request no longer waits for a decision (decided, cancelled, timed out): every "approval
 * needed" item resolves in the same transaction. A decision already raises `request_decided`, which
 * reaches the approvers who did not decide by mail and the team's channel; a request closed without
 * one raises `approval_closed` for them.
 *
 * What each channel can do: an in-app item is updated in place. A sent mail cannot be recalled, so
 * a short follow-up mail goes out. Teams incoming webhooks (Workflows or connectors) cannot edit or
 * delete a card they posted, and Slack incoming webhooks cannot update a message (that needs a bot
 * token and chat.update): both get a follow-up post instead.
 */
export async function notifyApprovalSettled(
  tx: Tx,
  requestId: string,
  now: Date,
  closedBy?: "cancelled" | "timed_out",
): Promise<void> {
  await resolveApprovalItems(tx, requestId, now);
  if (closedBy) await recordNotificationEvent(tx, `closed:${requestId}`, "approval_closed", requestId, { closedBy });
}

/** The access is applied: the holder hears until when, and how to connect. Once per request. */
export async function notifyAccessActive(tx: Tx, requestId: string): Promise<void> {
  await recordNotificationEvent(tx, `active:${requestId}`, "access_active", requestId);
}

/** The access ended on time or by its holder: they hear when, and how long tokens may still work. */
export async function notifyAccessEnded(
  tx: Tx,
  requestId: string,
  endedBy: "expiry" | "holder",
  isSessionRevoked = false,
): Promise<void> {
  await recordNotificationEvent(tx, `ended:${requestId}`, "access_ended", requestId, { endedBy, isSessionRevoked });
}

/** An admin took the access away: the holder hears who, why, and whether they were signed out. */
export async function notifyAccessRevoked(
  tx: Tx,
  requestId: string,
  revocation: { actorId: string; reason: string; isSessionRevoked: boolean; wasActive: boolean },
): Promise<void> {
  await recordNotificationEvent(tx, `revoked:${requestId}`, "access_revoked", requestId, revocation);
}

/**
 * Queues the "ends soon" warning for NOTIFY_ENDING_SOON_MINUTES before `activeUntil` (at once when
 * that is already past, never for an end that has passed). Called when access becomes active and
 * at each extension; the job checks the end is still the same before it warns.
 */
export async function scheduleEndingSoon(tx: Tx, requestId: string, activeUntil: Date, now: Date): Promise<void> {
  if (activeUntil <= now) return;
  const warnAt = addMinutes(activeUntil, -env.NOTIFY_ENDING_SOON_MINUTES);
  const job: EndingSoonJob = { requestId, activeUntil: activeUntil.toISOString() };
  await enqueue(tx, QUEUES.notifyEndingSoon, job, {
    startAfter: warnAt > now ? warnAt : now,
    id: jobIdFor("ending-soon", requestId, job.activeUntil),
  });
}

/**
 * The holder's activity summary shows calls or node sign-ins after the access ended: the role's
 * approvers hear who, where, how many and the first calls. Once per request, whichever summary
 * shows them first.
 */
export async function notifyActivityAfterEnd(
  tx: Tx,
  requestId: string,
  afterEnd: { calls: number; signIns: number; first: string[] },
): Promise<boolean> {
  return recordNotificationEvent(tx, `activity-after-end:${requestId}`, "activity_after_end", requestId, { afterEnd });
}
