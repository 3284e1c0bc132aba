import { describe, expect, it } from "vitest";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { db } from "@/lib/db/client";

/** Guards against audit history being rewritten through SQL, whoever connects as the app. */
describe("audit_events is append-only", () => {
  it("accepts inserts and refuses UPDATE, DELETE and TRUNCATE", async () => {
    await db.$transaction((tx) =>
      recordAuditEvent(tx, {
        type: "session.signed_out",
        actor: null,
        occurredAt: new Date(),
        correlationId: "append-only",
        data: { sessionAgeSeconds: 1 },
      }),
    );
    const event = await db.auditEvent.findFirstOrThrow({ where: { correlationId: "append-only" } });

    await expect(db.$executeRaw`UPDATE audit_events SET type = 'forged' WHERE seq = ${event.seq}`).rejects.toThrow(
      /append-only: UPDATE is not allowed/,
    );
    await expect(db.$executeRaw`DELETE FROM audit_events WHERE seq = ${event.seq}`).rejects.toThrow(
      /append-only: DELETE is not allowed/,
    );
    await expect(db.$executeRawUnsafe("TRUNCATE audit_events")).rejects.toThrow(/append-only: TRUNCATE is not allowed/);
    await expect(db.auditEvent.findUnique({ where: { seq: event.seq } })).resolves.toMatchObject({
      type: "session.signed_out",
    });
  });
});
