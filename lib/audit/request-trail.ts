import "server-only";
import { loadRequestView, type RequestView } from "@/lib/access/request-queries";
import { assertRequestId } from "@/lib/access/request-record";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import type { PackEvent } from "./evidence-check";

/**
 * One request and every audit event it has, in chain order, with each event's hashes: what the
 * auditor's timeline shows and what its evidence pack holds. Auditors and admins only.
 */
export async function requestAuditTrail(
  viewer: SessionUser,
  requestId: string,
): Promise<{ request: RequestView; events: PackEvent[]; accessEnd: AccessEnd | null }> {
  authorize(viewer, "audit.read");
  assertRequestId(requestId);
  const request = await loadRequestView(requestId, viewer);
  const rows = await db.auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
  const events = rows.map(packEventOf);
  return { request, events, accessEnd: accessEndOf(request, events) };
}

/** An audit row as a pack holds it: its chained content, its place and its hashes. */
export function packEventOf(row: Awaited<ReturnType<typeof db.auditEvent.findFirstOrThrow>>): PackEvent {
  return {
    seq: row.seq.toString(),
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    type: row.type,
    actorId: row.actorId,
    actorUpn: row.actorUpn,
    subjectId: row.subjectId,
    requestId: row.requestId,
    correlationId: row.correlationId,
    data: row.data,
    prevHash: row.prevHash ?? "",
    hash: row.hash ?? "",
  };
}

const ENDINGS: Record<string, AccessEnd["how"]> = {
  "request.expired": "expired",
  "request.deactivated": "ended early",
  "request.revoked": "revoked",
};

/**
 * When the access ended (or is due to end), and how long tokens issued before then may still work:
 * Entra access tokens cannot be revoked and AKS caches them, so the end that matters to an auditor
 * is the grant's end plus the token lifetime. Null when access never started.
 */
export interface AccessEnd {
  at: string;
  how: "expired" | "ended early" | "revoked" | "scheduled";
  tokensMayWorkUntil: string;
}

function accessEndOf(request: RequestView, events: PackEvent[]): AccessEnd | null {
  const ending = events.find((event) => event.type in ENDINGS);
  const at = ending ? new Date(ending.occurredAt).toISOString() : request.activeUntil;
  if (!at || !request.activeFrom) return null;
  const tokensMayWorkUntil = new Date(new Date(at).getTime() + env.TOKEN_LIFETIME_MINUTES * 60_000).toISOString();
  return { at, how: ending ? ENDINGS[ending.type]! : "scheduled", tokensMayWorkUntil };
}
