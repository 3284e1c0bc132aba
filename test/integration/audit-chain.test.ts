import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { latestVerification, verifyAuditHistory } from "@/lib/audit/verification";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { contextFor } from "../support/users";
import { db } from "@/lib/db/client";
import { ROOT } from "../../scripts/lib/paths";

/** The audit history's hash chain: one valid chain under concurrent writers, and tampering found and located. */

const verify = () => verifyAuditChain((text, values) => db.$queryRawUnsafe(text, ...values));

function auditVerify(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

const event = (n: number) => ({
  type: "session.signed_out" as const,
  actor: null,
  occurredAt: new Date(),
  correlationId: `chain-${n}`,
  data: { sessionAgeSeconds: n },
});

describe("the audit hash chain", () => {
  it("stays one valid chain when many transactions record at once", async () => {
    const before = await verify();
    expect(before).toMatchObject({ isIntact: true, broken: null });
    await Promise.all(Array.from({ length: 40 }, (_, n) => db.$transaction((tx) => recordAuditEvent(tx, event(n)))));
    const after = await verify();
    expect(after).toMatchObject({ isIntact: true, unchained: 0 });
    expect(after.events).toBe(before.events + 40);
    const [row] = await db.$queryRaw<Array<{ forks: bigint }>>`
      SELECT count(*) - count(DISTINCT prev_hash) AS forks FROM audit_events`;
    expect(Number(row?.forks)).toBe(0);
  });

  // Guards against the writer's hash (computed in SQL from the chain's head) differing from chain.ts's
  // for text beyond ASCII, escapes or nesting: each such event would read as changed.
  it("links events whose content needs escaping or is not ASCII, as the verifier computes them", async () => {
    const odd = { note: "naïve café ☕ 𝄞 \u0001 \t", nested: { b: [1, null, "x"], a: { z: true } }, none: undefined };
    const tricky = {
      ...event(0),
      occurredAt: new Date("2026-12-05T17:30:00.123Z"),
      correlationId: 'chain-"zoë"\n\\ñandú',
      // The event's data as stored is whatever JSON the writer is given: odd on purpose.
      data: { sessionAgeSeconds: 1, ...odd } as ReturnType<typeof event>["data"],
    };
    await db.$transaction(async (tx) => {
      await recordAuditEvent(tx, tricky);
      await recordAuditEvent(tx, { ...tricky, correlationId: "ünïcödé 𝄞" });
    });
    expect(await verify()).toMatchObject({ isIntact: true, broken: null, unchained: 0 });
  });

  it("keeps the last verification an auditor ran, for the Audit page", async () => {
    await expect(verifyAuditHistory(await contextFor("n01@contoso.com"))).rejects.toMatchObject({ code: "FORBIDDEN" });
    const auditor = await contextFor("aud01@contoso.com");
    const result = await verifyAuditHistory(auditor);
    expect(result).toMatchObject({ isIntact: true, broken: null, ranBy: "aud01@contoso.com" });
    expect(await latestVerification(auditor.viewer)).toEqual(result);
  });

  it("refuses events without their link", async () => {
    await expect(db.auditEvent.create({ data: { type: "forged", data: {} } })).rejects.toThrow(/audit_events_chained/);
  });

  it("finds an event changed behind the app's back, by its sequence number", async () => {
    await db.$transaction((tx) => recordAuditEvent(tx, event(100)));
    const target = await db.auditEvent.findFirstOrThrow({ where: { correlationId: "chain-100" } });
    await db.$transaction((tx) => recordAuditEvent(tx, event(101)));
    expect(await auditVerify()).toMatchObject({
      code: 0,
      output: expect.stringMatching(/Audit chain intact: \d+ events/),
    });

    // A database superuser turns the guard off, rewrites history, and turns it back on.
    const tamper = (data: object) =>
      db.$transaction([
        db.$executeRawUnsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"),
        db.$executeRaw`UPDATE audit_events SET data = ${JSON.stringify(data)}::jsonb WHERE seq = ${target.seq}`,
        db.$executeRawUnsafe("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"),
      ]);
    await tamper({ sessionAgeSeconds: 7 });
    try {
      expect(await verify()).toMatchObject({ isIntact: false, broken: { seq: target.seq.toString() } });
      const run = await auditVerify();
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        `Audit chain BROKEN at event seq ${target.seq}: its content does not match its hash`,
      );
    } finally {
      await tamper(target.data as object);
    }
    expect(await verify()).toMatchObject({ isIntact: true });
  }, 60_000);

  it("finds an event removed from the middle, at the event after it", async () => {
    await db.$transaction((tx) => recordAuditEvent(tx, event(200)));
    const removed = await db.auditEvent.findFirstOrThrow({ where: { correlationId: "chain-200" } });
    await db.$transaction((tx) => recordAuditEvent(tx, event(201)));
    const next = await db.auditEvent.findFirstOrThrow({ where: { correlationId: "chain-201" } });
    await db.$transaction([
      db.$executeRawUnsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"),
      db.$executeRaw`DELETE FROM audit_events WHERE seq = ${removed.seq}`,
      db.$executeRawUnsafe("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"),
    ]);
    try {
      expect(await verify()).toMatchObject({
        isIntact: false,
        broken: { seq: next.seq.toString(), reason: expect.stringMatching(/does not link/) },
      });
    } finally {
      // Put it back as it was, so that the rest of the run sees an intact history.
      await db.$executeRaw`INSERT INTO audit_events (seq, id, occurred_at, type, actor_id, actor_upn, subject_id,
        request_id, correlation_id, data, prev_hash, hash)
        VALUES (${removed.seq}, ${removed.id}::uuid, ${removed.occurredAt}, ${removed.type}, NULL, NULL, NULL, NULL,
        ${removed.correlationId}, ${JSON.stringify(removed.data)}::jsonb, ${removed.prevHash}, ${removed.hash})`;
    }
    expect(await verify()).toMatchObject({ isIntact: true });
  });
});
