import "server-only";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { secondsBetween } from "./labels";
import { metrics } from "./metrics";

/**
 * Observes how long an activated request waited since it could start: its latest approval (an
 * admin's retry after a failure counts as one) or its scheduled start, if later. Read from the audit
 * trail, because the approval happened in another process, possibly long before this job ran. Never
 * throws: access that is active must not look failed because a measurement did.
 */
export async function observeActivation(requestId: string, activeAt = new Date()) {
  try {
    const [row] = await db.$queryRaw<Array<{ due_at: Date }>>`
      SELECT GREATEST(a.occurred_at, COALESCE(r.start_at, a.occurred_at)) AS due_at
      FROM audit_events a JOIN access_requests r ON r.id = a.request_id
      WHERE a.request_id = ${requestId}::uuid AND a.type IN ('request.approved', 'request.activation_retried')
      ORDER BY a.seq DESC LIMIT 1`;
    if (row) metrics.activationLatency.observe(secondsBetween(row.due_at, activeAt));
  } catch (error) {
    log.warn(
      { requestId, err: error instanceof Error ? error.message : String(error) },
      "activation latency not measured",
    );
  }
}
