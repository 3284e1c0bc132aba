import "server-only";
import type { RequestEvent } from "@/lib/domain/request-state";
import { providerOperation, requestOutcome, secondsBetween, statusLabel } from "./labels";
import { metrics } from "./metrics";

/**
 * What the use cases, the cloud clients and the audit writer call as things happen: one line at
 * each site. None of these adds a failure or a wait of its own to the work it measures.
 */

/**
 * Counted as the event is written, inside its transaction: only a database error after this point
 * (refusals come before it) rolls the event back, and then the count is one too high.
 */
export function countRequestEvent(request: { clusterName: string; roleName: string }, event: RequestEvent) {
  const outcome = requestOutcome(event.type);
  if (outcome) metrics.requests.inc({ cluster: request.clusterName, role: request.roleName, outcome });
}

/** Approvers' latency: only the decision that settles the request, not each approval of a quorum. */
export function observeDecision(event: RequestEvent, createdAt: Date, decidedAt: Date) {
  if (event.type !== "request.approved" && event.type !== "request.denied") return;
  const outcome = event.type === "request.approved" ? "approved" : "denied";
  metrics.approvalLatency.observe({ outcome }, secondsBetween(createdAt, decidedAt));
}

/** Wall clock, not the sweep's `now`: one sweep removes many grants, and the last waits for all the others. */
export function observeExpiryLag(endAt: Date, removedAt = new Date()) {
  metrics.expiryLag.observe(secondsBetween(endAt, removedAt));
}

/** One HTTP attempt at Graph or ARM, inside an audited scope or not (sign-in checks, mail). */
export function countProviderCall(
  call: { service: "graph" | "arm"; method: string; path: string; status: number | null; durationMs: number },
  retryAfterSeconds: number | undefined,
) {
  const { service } = call;
  const operation = providerOperation(call.method, call.path);
  metrics.providerCalls.inc({ service, operation, status: statusLabel(call.status) });
  metrics.providerCallDuration.observe({ service, operation }, call.durationMs / 1000);
  if (call.status === 429) metrics.providerThrottled.inc({ service });
  if (retryAfterSeconds !== undefined) metrics.providerRetryAfter.inc({ service }, retryAfterSeconds);
}

/** A grant operation after the clients' own retries: what a job or an admin's action finally got. */
export function countProviderOperation(grantKind: string, operation: string, isOk: boolean) {
  metrics.providerOperations.inc({ grant_kind: grantKind, operation, outcome: isOk ? "ok" : "failed" });
}

// Taking the chain lock again in the same transaction is free: only the first take is a wait.
const lockedTransactions = new WeakSet<object>();

/** Times `lock` (taking the audit chain's advisory lock) the first time a transaction takes it. */
export async function timeChainLock<T>(tx: object, lock: () => Promise<T>): Promise<T> {
  if (lockedTransactions.has(tx)) return lock();
  const end = metrics.auditAppendWait.startTimer();
  const result = await lock();
  end();
  lockedTransactions.add(tx);
  return result;
}

/** A delivery attempt; a failed one is retried by the queue and counted again. */
export async function countDelivery(channel: "email" | "teams" | "slack", delivery: Promise<void>) {
  try {
    await delivery;
    metrics.notificationDeliveries.inc({ channel, outcome: "sent" });
  } catch (error) {
    metrics.notificationDeliveries.inc({ channel, outcome: "failed" });
    throw error;
  }
}

/** Starts timing a reconcile run; call the result with the bindings it skipped when it ends. */
export function timeReconcile(): (skipped: number) => void {
  const end = metrics.reconcileDuration.startTimer();
  return (skipped) => {
    end();
    metrics.reconcileSkipped.inc(skipped);
  };
}

export function countDriftResolution(kind: string, action: "remove" | "reapply") {
  metrics.driftResolutions.inc({ kind: kind === "missing" || kind === "unexplained" ? kind : "other", action });
}

/** One cluster's posture check: its facts read and unchanged, read and changed, or not read. */
export function countPostureCheck(outcome: "unchanged" | "changed" | "failed") {
  metrics.postureChecks.inc({ outcome });
}

/** One Log Analytics query of a holder's activity: its outcome, the rows it returned and the rows it scanned. */
export function countActivityQuery(table: string, outcome: "ok" | "partial" | "failed", rows: number, scanned: number) {
  metrics.activityQueries.inc({ table, outcome });
  metrics.activityRowsReturned.inc({ table }, rows);
  metrics.activityRowsScanned.inc({ table }, scanned);
}
