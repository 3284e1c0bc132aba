import "server-only";
import { randomUUID } from "node:crypto";
import { grantTargets, ProviderError } from "@/lib/cloud/access-provider";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { decide, isActivating, isAwaitingActivation } from "@/lib/domain/request-state";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queues";
import { log } from "@/lib/log";
import { observeActivation } from "@/lib/metrics/activation-latency";
import { notifyAccessActive, notifyActivationFailed, scheduleEndingSoon } from "@/lib/notify/request-events";
import { endGrant } from "./expire-access";
import { coverWithGrant, uncover, type LedgerGrant } from "./grant-ledger";
import { callProvider } from "./provider-call";
import { lockRequest, recordRequestEvent } from "./request-record";

const system = (correlationId: string) => ({ viewer: null, origin: { correlationId } });

/**
 * The `activate` job: applies an approved request's grants in Entra ID and ARM. Runs again safely
 * (retries, two workers): the ledger and the providers are idempotent. The access period is
 * recorded in the ledger before any provider call. A retryable provider error (throttling, 5xx) is
 * thrown for the queue to retry; any other failure ends the request as `failed`, with the
 * provider's words, and removes what this request alone had applied.
 */
export async function activateRequest(
  requestId: string,
  now: Date,
  clock: () => Date = () => new Date(),
): Promise<"active" | "scheduled" | "skipped" | "failed"> {
  const correlationId = `activate-${randomUUID()}`;
  const prepared = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const row = await tx.accessRequest.findUniqueOrThrow({ where: { id: requestId }, include: { requester: true } });
    if (isAwaitingActivation(request.state.status)) {
      if (request.state.startAt && request.state.startAt > now) {
        // Already scheduled (this job ran before): the domain refuses to schedule it twice.
        const scheduled = decide(request.state, { type: "schedule" }, now);
        if (scheduled.isAccepted)
          await recordRequestEvent(tx, request, scheduled.event, { ...system(correlationId), now });
        // Activates at its start; the singleton key keeps one such job when this runs again.
        await enqueue(
          tx,
          QUEUES.activate,
          { requestId },
          { startAfter: request.state.startAt, singletonKey: `scheduled-${requestId}` },
        );
        return { outcome: "scheduled" as const };
      }
      const begun = decide(request.state, { type: "begin_activation" }, now);
      if (!begun.isAccepted) return { outcome: "skipped" as const };
      await recordRequestEvent(tx, request, begun.event, { ...system(correlationId), now });
    } else if (!isActivating(request.state.status)) {
      return { outcome: "skipped" as const };
    }
    const activeFrom = row.activeFrom ?? now;
    const activeUntil = row.activeUntil ?? addMinutes(activeFrom, row.durationMinutes);
    await tx.accessRequest.update({ where: { id: requestId }, data: { activeFrom, activeUntil } });
    const found = findRole(getCatalog(), row.clusterName, row.roleName);
    if (!found) return { outcome: "missing-role" as const, request };
    const grants: LedgerGrant[] = [];
    for (const target of grantTargets(found.cluster, found.role, row.requester.entraObjectId)) {
      grants.push(await coverWithGrant(tx, { userId: row.requesterId, requestId, target, endAt: activeUntil }));
    }
    return {
      outcome: "apply" as const,
      grants,
      activeUntil,
      justification: row.justification,
      ticket: row.ticket ?? undefined,
    };
  });

  if (prepared.outcome === "scheduled") return "scheduled";
  if (prepared.outcome === "skipped") return "skipped";
  if (prepared.outcome === "missing-role") {
    await failActivation(requestId, now, correlationId, "The role is no longer in the access catalog.");
    return "failed";
  }

  // A role's grants are separate bindings (a group, a role at a scope), so they are applied side by
  // side: the person waits for the slowest call, not for the sum of them.
  const window = { startAt: now, justification: prepared.justification, ticket: prepared.ticket, requestId };
  const settled = await Promise.allSettled(
    prepared.grants.map(async (grant) => ({
      kind: grant.target.grant.kind,
      result: await callProvider(
        "apply",
        grant.target,
        { ...window, endAt: grant.endAt },
        { requestId, correlationId },
      ),
    })),
  );
  const failures = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
  const final = failures.findIndex((error) => !(error instanceof ProviderError && error.isRetryable));
  if (final >= 0) {
    await failActivation(requestId, afterCalls(now, clock), correlationId, reasonOf(failures[final]));
    return "failed";
  }
  if (failures.length > 0) {
    // Kept while the queue retries: the request page says why it is still activating, and the
    // final failure can say what went wrong last. What did apply is applied again, idempotently.
    await db.accessRequest.update({ where: { id: requestId }, data: { failureReason: reasonOf(failures[0]) } });
    throw failures[0];
  }
  const results = settled.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));

  // Access is applied when the last call has answered, not when the job began: the audit trail (and
  // the timeline) must put `request.activated` after the provider calls that applied it.
  const appliedAt = afterCalls(now, clock);
  const isActive = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const done = decide(request.state, { type: "activation_succeeded" }, appliedAt);
    if (!done.isAccepted) return false;
    await tx.accessRequest.update({ where: { id: requestId }, data: { failureReason: null } });
    await recordRequestEvent(
      tx,
      request,
      done.event,
      { ...system(correlationId), now: appliedAt },
      {
        activeUntil: prepared.activeUntil.toISOString(),
        grants: results.map(
          ({ kind, result }) =>
            `${kind}: ${result.providerRequestId ?? "applied"}${result.enforcedEndAt ? ` (ends ${result.enforcedEndAt.toISOString()} at the service)` : " (removed by AKS JIT at the end)"}`,
        ),
      },
    );
    // After the audit event: the lock order is request row, audit chain, grant rows (see recordAuditEvent).
    await tx.grant.updateMany({
      where: { id: { in: prepared.grants.map((g) => g.id) }, appliedAt: null },
      // The job's clock, as the reconciler reads it (its grace for recently applied grants).
      data: { appliedAt: now },
    });
    // The expiry sweep also runs at the access's end, not only at the next minute.
    await enqueue(tx, QUEUES.expireAccess, {}, { startAfter: prepared.activeUntil });
    await notifyAccessActive(tx, requestId);
    await scheduleEndingSoon(tx, requestId, prepared.activeUntil, now);
    return true;
  });
  if (isActive) await observeActivation(requestId);
  return "active";
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The moment after the provider calls: their audit rows carry the wall clock (lib/access/provider-call.ts),
 * so what follows them is recorded no earlier; never before the job's own `now` either.
 */
const afterCalls = (now: Date, clock: () => Date) => {
  const wall = clock();
  return wall > now ? wall : now;
};

/** The activation gave up: the request becomes `failed`, and grants only it covered are removed again. */
export async function failActivation(requestId: string, now: Date, correlationId: string, reason: string) {
  const orphans = await db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    const failed = decide(request.state, { type: "activation_failed", reason }, now);
    if (!failed.isAccepted) return null;
    await tx.accessRequest.update({ where: { id: requestId }, data: { failureReason: reason } });
    await recordRequestEvent(tx, request, failed.event, { ...system(correlationId), now });
    const orphaned = await uncover(tx, requestId, now);
    await notifyActivationFailed(tx, requestId, correlationId);
    return orphaned;
  });
  if (orphans === null) return;
  for (const grant of orphans) await endGrant(grant.id, now, requestId);
  log.warn({ requestId, reason }, "activation failed");
}

/** Every retry of the activation failed (the dead-letter queue): the request fails with the last error. */
export async function giveUpActivation(requestId: string, now: Date, correlationId: string) {
  const row = await db.accessRequest.findUnique({ where: { id: requestId }, select: { failureReason: true } });
  const last = row?.failureReason ? ` The last answer was: ${row.failureReason}` : "";
  await failActivation(
    requestId,
    now,
    correlationId,
    `Entra ID or Azure kept failing through every retry, so nothing is left applied. An admin can retry it.${last}`,
  );
}
