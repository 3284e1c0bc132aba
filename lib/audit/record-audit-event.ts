import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { AuditEventInput } from "./events";

/**
 * Appends one event to the audit history. Takes the transaction of the change it records, so
 * that the change and its audit row commit together or not at all: there is no standalone write.
 */
export async function recordAuditEvent(tx: Prisma.TransactionClient, event: AuditEventInput) {
  await tx.auditEvent.create({
    data: {
      type: event.type,
      occurredAt: event.occurredAt,
      actorId: event.actor?.id ?? null,
      actorUpn: event.actor?.userPrincipalName ?? null,
      subjectId: event.subjectId ?? null,
      requestId: event.requestId ?? null,
      correlationId: event.correlationId ?? null,
      data: event.data as Prisma.InputJsonValue,
    },
  });
}
