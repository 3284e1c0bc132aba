import "server-only";
import type { ActionContext } from "@/lib/context";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { db } from "@/lib/db/client";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import type { RequestView } from "@/lib/schemas/request-view";
import {
  activityOf,
  describePosture,
  EVIDENCE_FORMAT,
  eventsAsCsv,
  NOT_CHECKED,
  POSTURE_EVENT_TYPE,
  type EvidencePack,
  type PostureAtGrant,
} from "./evidence-check";
import { recordAuditEvent } from "./record-audit-event";
import { packEventOf, requestAuditTrail } from "./request-trail";

/**
 * The evidence pack for one request: the request, all its audit events with their hashes (as JSON,
 * and as CSV for a spreadsheet), and the run of the chain that covers them (only the hashes of other
 * requests' events), so that anyone can check it offline with `npm run audit:verify -- --pack FILE`.
 * Auditors and admins only (requestAuditTrail checks). Making one is audited, on the request's own
 * trail, after the pack's last event: the next pack of the request shows who took this one.
 */
export async function buildEvidencePack(context: ActionContext, requestId: string): Promise<EvidencePack> {
  const { viewer, now } = context;
  await authorizeAttempt(context, "audit.read", "audit.export", requestId);
  const { request, events } = await requestAuditTrail(viewer, requestId);
  // After the permission check (requestAuditTrail), before the pack is read and its export recorded.
  await enforceRateLimit("audit.export", viewer.id, now);
  const postureAtGrant = await postureAtGrantOf(request);
  const first = events[0];
  const last = events.at(-1);
  // The chain runs from the posture event when it came before the request's first event.
  const fromSeq = [first?.seq, postureAtGrant?.event?.seq]
    .filter((seq): seq is string => seq !== undefined)
    .map(BigInt)
    .reduce((a, b) => (a < b ? a : b), BigInt(first?.seq ?? 0));
  const chain =
    first && last
      ? await db.auditEvent.findMany({
          where: { seq: { gte: fromSeq, lte: BigInt(last.seq) } },
          orderBy: { seq: "asc" },
          select: { seq: true, prevHash: true, hash: true },
        })
      : [];
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "audit.exported",
      actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
      subjectId: requestId,
      requestId,
      correlationId: context.origin.correlationId,
      occurredAt: now,
      data: { what: "evidence", format: "json", requestId, channel: context.origin.channel },
    }),
  );
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: now.toISOString(),
    generatedBy: viewer.userPrincipalName,
    requestId,
    request: { ...request },
    events,
    eventsCsv: eventsAsCsv(events),
    chain: chain.map((link) => ({ seq: link.seq.toString(), prevHash: link.prevHash ?? "", hash: link.hash ?? "" })),
    postureAtGrant,
    activity: activityOf(events),
  };
}

/**
 * The cluster's posture and standing-access map when the request's access began: the latest
 * `posture.changed` event of its cluster at or before then (the posture check records one whenever
 * what it reads changes, so the latest is what held). Null when access never began.
 */
async function postureAtGrantOf(request: RequestView): Promise<PostureAtGrant | null> {
  if (!request.activeFrom) return null;
  const row = await db.auditEvent.findFirst({
    where: {
      type: POSTURE_EVENT_TYPE,
      occurredAt: { lte: new Date(request.activeFrom) },
      data: { path: ["clusterName"], equals: request.clusterName },
    },
    orderBy: { seq: "desc" },
  });
  const event = row ? packEventOf(row) : null;
  return {
    clusterName: request.clusterName,
    grantedAt: request.activeFrom,
    summary: event ? describePosture(event) : NOT_CHECKED,
    event,
  };
}
