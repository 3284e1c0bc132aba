import "server-only";
import { z } from "zod";
import { parseInput } from "@/lib/validation/parse-input";
import { authorize } from "@/lib/auth/authorize";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { SessionUser, ActionContext } from "@/lib/context";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getBoss, inTransaction } from "./boss";
import { QUEUES } from "./queues";

/**
 * Background jobs that spent every retry: removals, extensions, sweeps, notifications. Activations
 * are not listed here: they end as `failed` requests, which an admin retries as such.
 */
const LISTED = [
  QUEUES.deactivate,
  QUEUES.extend,
  QUEUES.expireAccess,
  QUEUES.reconcile,
  QUEUES.reconcileCluster,
  QUEUES.timeOutRequests,
  QUEUES.notify,
  QUEUES.notifyDeliver,
  QUEUES.notifyFollowUp,
  QUEUES.notifyEndingSoon,
  // an activity summary that could not be read (Log Analytics or Graph down, throttled past the retries)
  QUEUES.summariseActivity,
];

export interface FailedJob {
  id: string;
  queue: string;
  data: Record<string, unknown>;
  error: string;
  retries: number;
  failedAt: string;
}

export async function listFailedJobs(viewer: SessionUser, take = 50): Promise<FailedJob[]> {
  authorize(viewer, "access.administer");
  await getBoss();
  const rows = await db.$queryRaw<
    Array<{ id: string; name: string; data: unknown; output: unknown; retry_count: number; completed_on: Date }>
  >`SELECT id::text, name, data, output, retry_count, completed_on FROM pgboss.job
    WHERE state = 'failed' AND name = ANY(${LISTED}) ORDER BY completed_on DESC LIMIT ${take}`;
  return rows.map((row) => ({
    id: row.id,
    queue: row.name,
    data: (row.data ?? {}) as Record<string, unknown>,
    error: errorText(row.output),
    retries: row.retry_count,
    failedAt: row.completed_on.toISOString(),
  }));
}

/** pg-boss stores a thrown error as `{ message, stack }`; keep the message. */
function errorText(output: unknown): string {
  if (output && typeof output === "object" && "message" in output) return String(output.message);
  return output ? JSON.stringify(output) : "no error recorded";
}

const ZRetryJobInput = z.object({ queue: z.enum(LISTED), jobId: z.uuid("Not a job id.") });

/** An admin runs a failed job again (after fixing what made it fail). Audited. */
export async function retryFailedJob(input: { queue: string; jobId: string }, context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "job.retry", input.jobId);
  const { queue, jobId } = parseInput(ZRetryJobInput, input);
  const boss = await getBoss();
  const job = await boss.getJobById(queue, jobId);
  if (!job || job.state !== "failed") {
    throw new AppError("CONFLICT", {
      message: `job ${queue}/${jobId} is not failed`,
      userMessage: "This job is no longer failed (it was retried already, or is gone). Reload the page.",
    });
  }
  await db.$transaction(async (tx) => {
    await recordAuditEvent(tx, {
      type: "job.retried",
      actor: { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName },
      subjectId: jobId,
      correlationId: context.origin.correlationId,
      occurredAt: context.now,
      data: {
        queue,
        jobId,
        channel: context.origin.channel,
        ip: context.origin.ip,
        userAgent: context.origin.userAgent,
      },
    });
    await boss.retry(queue, jobId, { db: inTransaction(tx) });
  });
}

/** Where retried jobs stand now: pg-boss's state (archived ones too), and the error of one that failed again. */
export async function jobStates(ids: readonly string[]): Promise<Map<string, { state: string; error: string | null }>> {
  if (ids.length === 0) return new Map();
  await getBoss();
  const rows = await db.$queryRaw<Array<{ id: string; state: string; output: unknown }>>`
    SELECT id::text, state::text, output FROM pgboss.job WHERE id = ANY(${ids}::uuid[])
    UNION ALL
    SELECT id::text, state::text, output FROM pgboss.archive WHERE id = ANY(${ids}::uuid[])`;
  return new Map(
    rows.map((row) => [row.id, { state: row.state, error: row.state === "failed" ? errorText(row.output) : null }]),
  );
}
