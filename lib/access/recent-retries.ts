import "server-only";
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import {
  describeStatus,
  hasFailed,
  isActivating,
  isAwaitingActivation,
  parseRequestStatus,
} from "@/lib/domain/request-state";
import { jobStates } from "@/lib/jobs/failed-jobs";
import { idNamer } from "./id-names";

/**
 * What became of the retries admins ran lately: an activation retried (`request.activation_retried`)
 * or a failed job run again (`job.retried`), each with its outcome now. A retry is queued work, so
 * its outcome comes later: this list shows it as it lands (the admin page refreshes live).
 */

export interface RetryOutcome {
  key: string;
  what: string;
  href: string | null;
  retriedAt: string;
  retriedBy: string | null;
  outcome: "succeeded" | "running" | "failed";
  /** the reason it failed again, or what succeeded */
  detail: string;
}

const WINDOW_MS = 24 * 3_600_000;
const TAKE = 20;
const ZJobRetried = z.object({ queue: z.string(), jobId: z.string() });

export async function listRecentRetries(viewer: SessionUser, now = new Date()): Promise<RetryOutcome[]> {
  authorize(viewer, "access.administer");
  const events = await db.auditEvent.findMany({
    where: {
      type: { in: ["request.activation_retried", "job.retried"] },
      occurredAt: { gte: new Date(now.getTime() - WINDOW_MS) },
    },
    orderBy: { seq: "desc" },
    take: TAKE,
    select: { seq: true, type: true, occurredAt: true, actorUpn: true, requestId: true, data: true },
  });
  const requestIds = [...new Set(events.flatMap((e) => (e.requestId ? [e.requestId] : [])))];
  const requests = new Map(
    (
      await db.accessRequest.findMany({
        where: { id: { in: requestIds } },
        select: {
          id: true,
          status: true,
          roleName: true,
          clusterName: true,
          failureReason: true,
          requester: { select: { displayName: true } },
        },
      })
    ).map((r) => [r.id, r]),
  );
  const jobs = events.flatMap((e) => {
    const job = e.type === "job.retried" ? ZJobRetried.safeParse(e.data) : null;
    return job?.success ? [job.data.jobId] : [];
  });
  const states = await jobStates(jobs);
  const names = await idNamer([...requests.values()].map((r) => r.failureReason));
  const seen = new Set<string>();
  const outcomes: RetryOutcome[] = [];
  for (const event of events) {
    const common = { retriedAt: event.occurredAt.toISOString(), retriedBy: event.actorUpn, key: event.seq.toString() };
    const request = event.requestId ? requests.get(event.requestId) : undefined;
    if (event.type === "request.activation_retried" && request) {
      // The latest retry of a request tells its outcome; older ones were overtaken by it.
      if (seen.has(request.id)) continue;
      seen.add(request.id);
      const status = parseRequestStatus(request.status, request.id);
      const what = `Activation of ${request.roleName} on ${request.clusterName} for ${request.requester.displayName}`;
      const outcome = hasFailed(status)
        ? { outcome: "failed" as const, detail: names(request.failureReason ?? "No reason recorded.") }
        : isAwaitingActivation(status) || isActivating(status)
          ? { outcome: "running" as const, detail: "Applying the access…" }
          : { outcome: "succeeded" as const, detail: `Access applied; the request is now ${describeStatus(status)}.` };
      outcomes.push({ ...common, what, href: `/requests/${request.id}`, ...outcome });
      continue;
    }
    const job = ZJobRetried.safeParse(event.data);
    if (event.type !== "job.retried" || !job.success) continue;
    const state = states.get(job.data.jobId);
    const outcome =
      state?.state === "completed"
        ? { outcome: "succeeded" as const, detail: "The job ran to completion." }
        : state?.state === "failed"
          ? { outcome: "failed" as const, detail: names(state.error ?? "No error recorded.") }
          : state
            ? { outcome: "running" as const, detail: "Queued or running…" }
            : { outcome: "succeeded" as const, detail: "The job is done and no longer kept." };
    outcomes.push({
      ...common,
      what: `Job ${job.data.queue}`,
      href: event.requestId ? `/requests/${event.requestId}` : null,
      ...outcome,
    });
  }
  return outcomes;
}
