import "server-only";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { getBoss, inTransaction } from "@/lib/jobs/boss";
import { QUEUES, type EndingSoonJob, type NotifyJob } from "@/lib/jobs/queues";
import { log } from "@/lib/log";
import { jobIdFor } from "./job-id";
import type { NotificationKind } from "./messages";

/**
 * The use cases call these after their transaction commits. Each records the event once under its
 * key (a repeated call is a no-op) together with its `notify` job, which reads the recipients from
 * Graph and queues one delivery per person and channel. None of them throws: a notification that
 * cannot even be queued is logged, and the workflow goes on.
 */

async function safely(what: string, requestId: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    log.error({ requestId, err: error instanceof Error ? error.message : String(error) }, `could not queue ${what}`);
  }
}

/** Records the event and queues its fan-out in one transaction; false when the key was recorded before. */
export async function recordNotificationEvent(
  key: string,
  kind: NotificationKind,
  requestId: string,
  data: Record<string, unknown> = {},
): Promise<boolean> {
  const boss = await getBoss();
  return db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO notification_events (key, kind, request_id, data)
      VALUES (${key}, ${kind}, ${requestId}::uuid, ${JSON.stringify(data)}::jsonb)
      ON CONFLICT (key) DO NOTHING`;
    if (inserted === 0) return false;
    const job: NotifyJob = { eventKey: key, requestId };
    await boss.send(QUEUES.notify, job, { db: inTransaction(tx) });
    return true;
  });
}

/** A new request: its approvers hear of it; break-glass goes to every approver and auditor at once. */
export function notifyRequestFiled(requestId: string): Promise<void> {
  return safely("the new-request notification", requestId, async () => {
    const request = await db.accessRequest.findUnique({
      where: { id: requestId },
      select: { isBreakGlass: true, approvalsRequired: true },
    });
    // Self-activation asks nobody for anything.
    if (!request || (request.approvalsRequired === 0 && !request.isBreakGlass)) return;
    if (request.isBreakGlass) await recordNotificationEvent(`break-glass:${requestId}`, "break_glass", requestId);
    else await recordNotificationEvent(`filed:${requestId}`, "request_filed", requestId);
  });
}

/** A decision: the requester and the other approvers hear who decided ("already approved by p01"). */
export function notifyDecision(requestId: string, outcome: "approve" | "deny", actorId: string): Promise<void> {
  return safely("the decision notification", requestId, () =>
    recordNotificationEvent(`decided:${requestId}:${actorId}`, "request_decided", requestId, { outcome, actorId }),
  );
}

/** The activation gave up: the requester and the platform admins hear why. `attempt` tells retried activations apart. */
export function notifyActivationFailed(requestId: string, attempt: string): Promise<void> {
  return safely("the activation-failed notification", requestId, () =>
    recordNotificationEvent(`activation-failed:${requestId}:${attempt}`, "activation_failed", requestId),
  );
}

/**
 * Queues the "ends soon" warning for NOTIFY_ENDING_SOON_MINUTES before `activeUntil` (at once when
 * that is already past, never for an end that has passed). Called when access becomes active and
 * at each extension; the job checks the end is still the same before it warns.
 */
export function scheduleEndingSoon(requestId: string, activeUntil: Date, now: Date): Promise<void> {
  return safely("the ending-soon notification", requestId, async () => {
    if (activeUntil <= now) return;
    const warnAt = addMinutes(activeUntil, -env.NOTIFY_ENDING_SOON_MINUTES);
    const job: EndingSoonJob = { requestId, activeUntil: activeUntil.toISOString() };
    const boss = await getBoss();
    await boss.send(QUEUES.notifyEndingSoon, job, {
      startAfter: warnAt > now ? warnAt : now,
      id: jobIdFor("ending-soon", requestId, job.activeUntil),
    });
  });
}
