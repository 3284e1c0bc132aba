import "server-only";
import type { ProviderCall, ProviderOperation } from "@/lib/cloud/call-recorder";
import type { Prisma } from "@/lib/db/client";
import { recordAuditEvent } from "./record-audit-event";

/**
 * Appends one "provider.call" audit event per call, in the transaction of the change they served.
 * Called by the use cases with the calls lib/cloud recorded: the cloud layer records, it never
 * writes the audit itself.
 */
export async function auditProviderCalls(
  tx: Prisma.TransactionClient,
  input: {
    requestId: string | null;
    correlationId: string;
    grantKind: string;
    operation: ProviderOperation;
    calls: ProviderCall[];
    occurredAt: Date;
  },
) {
  for (const call of input.calls) {
    await recordAuditEvent(tx, {
      type: "provider.call",
      actor: null,
      subjectId: input.requestId ?? undefined,
      requestId: input.requestId ?? undefined,
      correlationId: input.correlationId,
      data: { ...call, grantKind: input.grantKind, operation: input.operation },
      occurredAt: input.occurredAt,
    });
  }
}
