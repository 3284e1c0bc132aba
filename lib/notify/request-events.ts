import "server-only";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queues";
import { jobIdFor } from "./job-id";
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
