import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db/client";

export interface AuditEventRow {
  seq: string;
  occurredAt: Date;
  type: string;
  actorUpn: string | null;
  data: unknown;
}

/** The newest audit events, for auditors and admins. */
export async function listRecentAuditEvents(viewer: SessionUser, limit = 50): Promise<AuditEventRow[]> {
  authorize(viewer, "audit.read");
  const rows = await db.auditEvent.findMany({
    orderBy: { seq: "desc" },
    take: limit,
    select: { seq: true, occurredAt: true, type: true, actorUpn: true, data: true },
  });
  return rows.map((row) => ({ ...row, seq: row.seq.toString() }));
}
