import "server-only";
import { loadRequestView } from "@/lib/access/queries";
import { assertRequestId } from "@/lib/access/request-record";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { EVIDENCE_FORMAT, type EvidencePack } from "./evidence-check";

/**
 * The evidence pack for one request: the request, all its audit events with their hashes, and the
 * run of the chain that covers them (only the hashes of other requests' events), so that anyone can
 * check it offline with `npm run audit:verify -- --pack FILE`. Auditors and admins only.
 */
export async function buildEvidencePack(
  viewer: SessionUser,
  requestId: string,
  now = new Date(),
): Promise<EvidencePack> {
  authorize(viewer, "audit.read");
  assertRequestId(requestId);
  const request = await loadRequestView(requestId, viewer);
  const rows = await db.auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
  const first = rows[0];
  const last = rows.at(-1);
  const chain =
    first && last
      ? await db.auditEvent.findMany({
          where: { seq: { gte: first.seq, lte: last.seq } },
          orderBy: { seq: "asc" },
          select: { seq: true, prevHash: true, hash: true },
        })
      : [];
  return {
    format: EVIDENCE_FORMAT,
    generatedAt: now.toISOString(),
    generatedBy: viewer.userPrincipalName,
    requestId,
    request: { ...request },
    events: rows.map((row) => ({
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
    })),
    chain: chain.map((link) => ({ seq: link.seq.toString(), prevHash: link.prevHash ?? "", hash: link.hash ?? "" })),
  };
}
