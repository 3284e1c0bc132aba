import "server-only";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { RequestOrigin } from "@/lib/context";
import { db, type Prisma } from "@/lib/db/client";
import { notifyActivityAfterEnd } from "@/lib/notify/request-events";
import type { ActivitySummary } from "./types";

/** How many after-end calls the approvers' message names. */
const FIRST_CALLS = 3;

/**
 * Stores a summary in one transaction: the `activity.summarised` audit event on the request's trail
 * (the record; the evidence pack carries it), the request's row in request_activities (what pages and
 * search read) pointing at that event, and, the first time a summary shows activity after the end,
 * the approvers' notification. The request's row is locked first (the audit chain's lock order).
 */
export async function storeActivitySummary(
  summary: ActivitySummary,
  context: {
    actor: { id: string; userPrincipalName: string } | null;
    origin: RequestOrigin & { correlationId: string };
    now: Date;
  },
): Promise<{ eventSeq: bigint }> {
  return db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM access_requests WHERE id = ${summary.requestId}::uuid FOR UPDATE`;
      await recordAuditEvent(tx, {
        type: "activity.summarised",
        actor: context.actor,
        subjectId: summary.requestId,
        requestId: summary.requestId,
        correlationId: context.origin.correlationId,
        occurredAt: context.now,
        data: {
          ...summary,
          actorKind: context.actor ? "user" : "system",
          ...(context.actor
            ? { channel: context.origin.channel, ip: context.origin.ip, userAgent: context.origin.userAgent }
            : {}),
        },
      });
      const event = await tx.auditEvent.findFirstOrThrow({
        where: { requestId: summary.requestId, type: "activity.summarised" },
        orderBy: { seq: "desc" },
        select: { seq: true },
      });
      const counts = countsOf(summary);
      const row = {
        summarisedAt: context.now,
        status: summary.status,
        isComplete: summary.window.isComplete,
        ...counts,
        summary: summary as unknown as Prisma.InputJsonValue,
        eventSeq: event.seq,
      };
      await tx.requestActivity.upsert({
        where: { requestId: summary.requestId },
        create: { requestId: summary.requestId, ...row },
        update: row,
      });
      const afterEndSignIns = summary.nodeSignIns?.afterEnd ?? 0;
      if (counts.afterEndCalls > 0 || afterEndSignIns > 0) {
        await notifyActivityAfterEnd(tx, summary.requestId, {
          calls: counts.afterEndCalls,
          signIns: afterEndSignIns,
          first: firstAfterEnd(summary),
        });
      }
      return { eventSeq: event.seq };
    },
    { maxWait: 30_000, timeout: 60_000 },
  );
}

/** The row's counts: 0 where the logs could not be read. */
export function countsOf(summary: ActivitySummary) {
  const k = summary.kubernetes;
  return {
    totalCalls: k?.totalCalls ?? 0,
    sensitiveCalls: k?.sensitiveCalls ?? 0,
    secretReads: k?.secretReads ?? 0,
    deniedCalls: k?.deniedCalls ?? 0,
    afterEndCalls: k?.afterEndCalls ?? 0,
    nodeSignIns: summary.nodeSignIns?.total ?? 0,
  };
}

/** "14:20 UTC delete pods/web-1 in default (200)", the first few calls after the end. */
function firstAfterEnd(summary: ActivitySummary): string[] {
  const calls = (summary.kubernetes?.listed ?? []).filter((call) => call.isAfterEnd).slice(0, FIRST_CALLS);
  return calls.map((call) => {
    const what = [call.resource, call.subresource].filter(Boolean).join("/") + (call.name ? ` ${call.name}` : "");
    const where = call.namespace ? ` in ${call.namespace}` : "";
    return `${call.at.slice(11, 16)} UTC ${call.verb} ${what}${where} (${call.code})`;
  });
}
