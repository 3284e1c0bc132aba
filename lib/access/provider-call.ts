import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { ProviderError, type AccessProvider, type GrantTarget, type ProviderResult } from "@/lib/cloud/access-provider";
import { recordingCalls, type ProviderCall } from "@/lib/cloud/call-recorder";
import { auditProviderCalls } from "@/lib/audit/provider-calls";
import { lockAuditChain } from "@/lib/audit/record-audit-event";
import { providerFor } from "@/lib/cloud/providers";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { countProviderOperation } from "@/lib/metrics/record";

type Operation = "apply" | "extend" | "remove";
type AuditedOperation = Operation | "revokeSignInSessions" | "read" | "list";

/**
 * Every change the jobs make in Entra ID or Azure goes through here: each HTTP call (retries
 * included) is appended to the audit history with its body, status, the service's request id and
 * its duration, whether it succeeded or not. A throttled call is tried again after the service's
 * Retry-After, within the job's time budget; beyond it, the error goes to the queue's backoff.
 */
export async function callProvider(
  operation: Operation,
  target: GrantTarget,
  args: Parameters<AccessProvider["apply"]>[1] | Parameters<AccessProvider["remove"]>[1],
  context: { requestId: string | null; correlationId: string },
): Promise<ProviderResult> {
  const provider = providerFor(target.grant.kind);
  return auditedCall({ ...context, grantKind: target.grant.kind, operation }, () =>
    operation === "remove"
      ? provider.remove(target, args)
      : provider[operation](target, args as Parameters<AccessProvider["apply"]>[1]),
  );
}

/** Runs `work` (calls to Graph or ARM), recording its HTTP calls in the audit and honouring Retry-After. */
export async function auditedCall<T>(
  context: { requestId: string | null; correlationId: string; grantKind: string; operation: AuditedOperation },
  work: () => Promise<T>,
): Promise<T> {
  return honouringRetryAfter(context, work, async (calls) => {
    // The call has happened: its record waits its turn on the audit chain's lock rather than fail
    // (Prisma's 2 s / 5 s defaults), since a lost record would make the job call the service again.
    // Its time is taken in its turn on the chain, so that calls recorded side by side (a role's grants
    // are applied in parallel) read in the trail in the order of their times.
    await db.$transaction(
      async (tx) => {
        await lockAuditChain(tx);
        await auditProviderCalls(tx, { ...context, calls, occurredAt: new Date() });
      },
      { maxWait: 30_000, timeout: 60_000 },
    );
  });
}

/**
 * Runs `work` (reads at Graph or ARM that change nothing: the reconciler's), honouring Retry-After
 * like auditedCall, with each HTTP call in the logs and the metrics rather than the audit: at 500
 * clusters a chained row per read would be most of the audit history. The caller sums the calls up
 * (`onCalls`) in one audit event of its own.
 */
export async function readWithoutAudit<T>(
  context: {
    correlationId: string;
    grantKind: string;
    operation: "list" | "read";
    onCalls: (calls: ProviderCall[]) => void;
  },
  work: () => Promise<T>,
): Promise<T> {
  const { onCalls, ...labels } = context;
  return honouringRetryAfter(labels, work, (calls) => {
    onCalls(calls);
    for (const call of calls) {
      const { requestBody: _body, ...detail } = call;
      log.debug({ ...labels, ...detail }, "provider read");
    }
  });
}

/**
 * Runs `work` until it succeeds, handing each attempt's HTTP calls to `record` and counting it in
 * the metrics. A throttled attempt is tried again after the service's Retry-After, within half the
 * job's budget, so that a job waiting on Retry-After is never taken for a dead one; beyond it, or
 * on any other error, the error is thrown (to the queue's backoff).
 */
async function honouringRetryAfter<T>(
  labels: { correlationId: string; grantKind: string; operation: AuditedOperation },
  work: () => Promise<T>,
  record: (calls: ProviderCall[]) => unknown,
): Promise<T> {
  let waitedSeconds = 0;
  for (;;) {
    const { calls, result, error } = await recordingCalls(work);
    countProviderOperation(labels.grantKind, labels.operation, error === undefined);
    await record(calls);
    if (error === undefined) return result as T;
    const wait = retryAfterOf(error);
    if (wait === undefined || waitedSeconds + wait > env.JOB_TIMEOUT_SECONDS / 2) throw error;
    log.info({ ...labels, wait }, "throttled; waiting as the service asked");
    await sleep(wait * 1000);
    waitedSeconds += wait;
  }
}

function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof ProviderError) || error.kind !== "throttled") return undefined;
  return Math.max(1, error.retryAfterSeconds ?? env.JOB_RETRY_DELAY_SECONDS);
}
