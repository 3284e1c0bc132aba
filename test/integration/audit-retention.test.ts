import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf, signCheckpoint } from "@/lib/audit/checkpoint";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { retainAuditHistory, retentionCutOff } from "@/lib/audit/retention";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { PrismaClient, type Prisma } from "@/lib/db/generated/client";
import { migrate } from "../../scripts/lib/database";
import { DATA_DIR, ROOT } from "../../scripts/lib/paths";
import { freePort } from "../support/stack";

/**
 * Audit retention removes only old whole months, with a signed checkpoint in the same transaction,
 * and the chain stays verifiable from there; a removal or a checkpoint made any other way is
 * refused by the database or found by the verifier. On a database of its own: retention removes
 * the oldest events, which the other files' events would otherwise be.
 */

const runDir = path.join(DATA_DIR, "test", `retention-${process.pid}-${randomBytes(3).toString("hex")}`);
const keys = generateKeyPairSync("ed25519");
const otherKeys = generateKeyPairSync("ed25519");
const signingKeyFile = path.join(runDir, "audit-signing-key.pem");
const verifyKeyFile = path.join(runDir, "audit-verify-key.pem");
const now = new Date("2026-11-15T12:00:00Z");
const operator = "ops@contoso.com";
let database: EmbeddedDatabase;
let db: PrismaClient;

beforeAll(async () => {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(signingKeyFile, keys.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(verifyKeyFile, keys.publicKey.export({ type: "spki", format: "pem" }));
  database = await startEmbeddedPostgres({
    dataDir: path.join(runDir, "postgres"),
    port: await freePort(),
    database: "aks_jit_retention",
    logFile: path.join(runDir, "postgres.log"),
    isEphemeral: true,
  });
  await migrate(database.url);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  // In seq order, one event recorded late: it occurred before the cut-off of 1 August, after one
  // that did not. Retention must keep it rather than leave a gap.
  for (const occurredAt of [
    "2026-05-03",
    "2026-05-10",
    "2026-05-20",
    "2026-06-01",
    "2026-06-15",
    "2026-06-30T23:59:59.999",
    "2026-07-01",
    "2026-07-15",
    "2026-07-31T23:59:59.000",
    "2026-08-01T00:00:00.500",
    "2026-07-31T23:59:59.900",
    "2026-09-01",
    "2026-09-20",
    "2026-10-01",
    "2026-10-20",
    "2026-11-10",
  ]) {
    await record(new Date(occurredAt.length === 10 ? `${occurredAt}T08:00:00Z` : `${occurredAt}Z`));
  }
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

const record = (occurredAt: Date) =>
  db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "session.signed_out",
      actor: null,
      occurredAt,
      correlationId: `retention-${occurredAt.toISOString()}`,
      data: { sessionAgeSeconds: 1 },
    }),
  );

const queryOf = (client: PrismaClient | Prisma.TransactionClient) => (text: string, values: unknown[]) =>
  client.$queryRawUnsafe<Array<Record<string, unknown>>>(text, ...values);
const verify = (
  client: PrismaClient | Prisma.TransactionClient = db,
  checkpointKey: KeyObject | null = keys.publicKey,
) => verifyAuditChain(queryOf(client), { checkpointKey });
const remaining = () => db.auditEvent.findMany({ orderBy: { seq: "asc" } });

class RolledBack extends Error {}

/** Runs tampering in a transaction that is always rolled back: the history is as before afterwards. */
async function rolledBack<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db
    .$transaction(async (tx) => {
      result = await fn(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return result as T;
}

function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, ...env };
    for (const name of ["AUDIT_SIGNING_KEY_FILE", "AUDIT_VERIFY_KEY_FILE", "AUDIT_RETENTION_MONTHS"]) {
      if (!(name in env)) delete childEnv[name];
    }
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("audit retention", () => {
  const cutOff = retentionCutOff({ olderThanMonths: 3 }, now);

  it("shows what it would remove, and removes nothing without --yes", async () => {
    expect(cutOff).toEqual(new Date("2026-08-01T00:00:00Z"));
    const dryRun = await runScript("scripts/audit-retain.ts", ["--before", "2026-08-01", "--dry-run"]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.output).toMatch(/Would remove 9 audit events, seq 1 to 9, all older than 2026-08-01/);
    expect(dryRun.output).toMatch(/2026-05 {2}3 events\n {2}2026-06 {2}3 events\n {2}2026-07 {2}3 events/);
    expect(dryRun.output).toMatch(/1 older events recorded after a newer one stay until a later run/);
    expect(dryRun.output).toMatch(/No signing key is configured/);
    const unconfirmed = await runScript("scripts/audit-retain.ts", ["--before", "2026-08-01"]);
    expect(unconfirmed).toMatchObject({ code: 2, output: expect.stringMatching(/add --yes to remove them/) });
    expect(await remaining()).toHaveLength(16);
  }, 90_000);

  it("refuses without a signing key, and removes nothing", async () => {
    const command = { cutOff, operator, signingKey: null, now };
    await expect(retainAuditHistory(db, command)).rejects.toThrow(
      "Audit retention refused: no audit signing key is configured: set AUDIT_SIGNING_KEY_FILE",
    );
    const run = await runScript("scripts/audit-retain.ts", ["--before", "2026-08-01", "--yes"]);
    expect(run).toMatchObject({ code: 1, output: expect.stringMatching(/no audit signing key is configured/) });
    expect(await remaining()).toHaveLength(16);
  }, 60_000);

  it("removes exactly the old whole months, and the chain verifies from the signed checkpoint", async () => {
    const before = await remaining();
    // Rolled-up chart days (lib/audit/insights-rollups.ts) on both sides of the cut-off.
    await db.$executeRaw`INSERT INTO audit_insight_days (day) VALUES ('2026-07-31'), ('2026-08-01')`;
    const { checkpoint, plan } = await retainAuditHistory(db, { cutOff, operator, signingKey: keys.privateKey, now });
    expect(plan).toMatchObject({
      fromSeq: "1",
      throughSeq: "9",
      removedEvents: 9,
      keptBeforeCutOff: 1,
      months: [
        { month: "2026-05", events: 3 },
        { month: "2026-06", events: 3 },
        { month: "2026-07", events: 3 },
      ],
    });
    const after = await remaining();
    expect(after.map((event) => event.seq)).toEqual([...before.slice(9).map((event) => event.seq), 17n]);
    // Only the event recorded late is older than the cut-off; nothing newer went.
    expect(after.filter((event) => event.occurredAt < cutOff).map((event) => event.seq)).toEqual([11n]);
    // The rollups of the emptied days went with their events, to be computed again from what is left.
    const rolledUp = await db.auditInsightDay.findMany();
    expect(rolledUp.map((d) => d.day.toISOString().slice(0, 10))).toEqual(["2026-08-01"]);

    const stored = await db.auditCheckpoint.findUniqueOrThrow({ where: { id: checkpoint.id } });
    expect(stored).toMatchObject({
      throughSeq: 9n,
      throughHash: before[8]!.hash,
      removedEvents: 9n,
      olderThan: cutOff,
      keyId: keyIdOf(keys.publicKey),
      previousId: null,
    });
    expect(await verify()).toMatchObject({
      isIntact: true,
      broken: null,
      events: 8,
      checkpoints: 1,
      startsAfter: { checkpointId: checkpoint.id, seq: "9", hash: before[8]!.hash },
    });
  });

  it("records the removal in the chain, by the operator who ran it", async () => {
    const [retained] = await db.auditEvent.findMany({ where: { type: "audit.retained" } });
    const checkpoint = await db.auditCheckpoint.findFirstOrThrow();
    expect(retained).toMatchObject({
      actorUpn: operator,
      subjectId: checkpoint.id,
      data: {
        checkpointId: checkpoint.id,
        throughSeq: "9",
        throughHash: checkpoint.throughHash,
        removedEvents: 9,
        olderThan: "2026-08-01T00:00:00.000Z",
        keyId: checkpoint.keyId,
      },
    });
    const last = await verify();
    expect(last.lastHash).toBe(retained!.hash);
  });

  it("trusts no checkpoint without the public key, or with another one", async () => {
    expect(await verify(db, null)).toMatchObject({
      isIntact: false,
      broken: { seq: "9", reason: expect.stringMatching(/no public key/) },
    });
    expect(await verify(db, otherKeys.publicKey)).toMatchObject({
      isIntact: false,
      broken: { seq: "9", reason: expect.stringMatching(/was signed with key [0-9a-f]{16}, not the configured/) },
    });
  });

  it("chains a second retention to the first checkpoint, through the commands", async () => {
    const first = await db.auditCheckpoint.findFirstOrThrow();
    const run = await runScript(
      "scripts/audit-retain.ts",
      ["--before", "2026-10-01", "--yes", "--operator", "auditops@contoso.com"],
      { AUDIT_SIGNING_KEY_FILE: signingKeyFile },
    );
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Removed 4 audit events, seq 10 to 13 \(2026-07, 2026-08, 2026-09\)/);
    expect(run.output).toContain(`follows ${first.id}, signed by key ${keyIdOf(keys.publicKey)}`);
    expect(run.output).toContain(keys.publicKey.export({ type: "spki", format: "pem" }).toString().trim());
    expect(run.output).not.toContain("PRIVATE KEY");

    const second = await db.auditCheckpoint.findUniqueOrThrow({ where: { previousId: first.id } });
    expect(second).toMatchObject({ throughSeq: 13n, removedEvents: 4n });
    expect(await verify()).toMatchObject({ isIntact: true, checkpoints: 2, startsAfter: { checkpointId: second.id } });
    const verified = await runScript("scripts/audit-verify.ts", [], { AUDIT_VERIFY_KEY_FILE: verifyKeyFile });
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toContain(`the chain starts after checkpoint ${second.id}, seq 13`);
    expect(verified.output).toMatch(/Audit chain intact: 5 events/);
  }, 90_000);

  it("refuses when nothing is old enough, and removes nothing", async () => {
    const command = { cutOff: new Date("2026-10-01T00:00:00Z"), operator, signingKey: keys.privateKey, now };
    await expect(retainAuditHistory(db, command)).rejects.toThrow(
      /Audit retention refused: nothing is old enough: the oldest event \(seq 14, 2026-10-01T08:00:00.000Z\) is not before the cut-off 2026-10-01/,
    );
    expect(await remaining()).toHaveLength(5);
  });

  it("refuses a DELETE outside the procedure, also up to a checkpoint of an earlier transaction", async () => {
    const [oldest] = await remaining();
    await expect(db.$executeRaw`DELETE FROM audit_events WHERE seq = ${oldest!.seq}`).rejects.toThrow(
      /append-only: DELETE is not allowed/,
    );
    await expect(db.$executeRaw`DELETE FROM audit_events WHERE seq <= 14`).rejects.toThrow(
      /append-only: DELETE is not allowed/,
    );
    await expect(db.$executeRaw`UPDATE audit_events SET type = 'forged' WHERE seq = ${oldest!.seq}`).rejects.toThrow(
      /append-only: UPDATE is not allowed/,
    );
    await expect(db.$executeRaw`UPDATE audit_checkpoints SET removed_events = 1`).rejects.toThrow(
      /audit_checkpoints is append-only: UPDATE is not allowed/,
    );
    await expect(db.$executeRaw`DELETE FROM audit_checkpoints`).rejects.toThrow(
      /audit_checkpoints is append-only: DELETE is not allowed/,
    );
    await expect(db.$executeRawUnsafe("TRUNCATE audit_checkpoints, audit_events")).rejects.toThrow(/append-only/);
    expect(await remaining()).toHaveLength(5);
  });

  it("refuses a checkpoint that does not follow the latest one or does not match its event", async () => {
    const [oldest] = await remaining();
    const fields = {
      id: "00000000-0000-4000-8000-000000000001",
      createdAt: now,
      throughSeq: oldest!.seq,
      throughHash: oldest!.hash!,
      throughOccurredAt: oldest!.occurredAt,
      removedEvents: 1n,
      olderThan: new Date("2026-11-01T00:00:00Z"),
      keyId: keyIdOf(keys.publicKey),
      signature: Buffer.alloc(64).toString("base64"),
    };
    await expect(db.auditCheckpoint.create({ data: { ...fields, previousId: null } })).rejects.toThrow(
      /must follow the latest checkpoint/,
    );
    const latest = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { throughSeq: "desc" } });
    await expect(
      db.auditCheckpoint.create({ data: { ...fields, previousId: latest.id, throughHash: "f".repeat(64) } }),
    ).rejects.toThrow(/does not match event seq/);
  });

  it("finds a checkpoint forged without the key, inserted with its removal", async () => {
    const report = await rolledBack(async (tx) => {
      const [oldest] = await tx.auditEvent.findMany({ orderBy: { seq: "asc" }, take: 1 });
      const latest = await tx.auditCheckpoint.findFirstOrThrow({ orderBy: { throughSeq: "desc" } });
      const fields = {
        id: "00000000-0000-4000-8000-000000000002",
        createdAt: now,
        throughSeq: oldest!.seq,
        throughHash: oldest!.hash!,
        throughOccurredAt: oldest!.occurredAt,
        removedEvents: 1n,
        olderThan: new Date("2026-11-01T00:00:00Z"),
        keyId: keyIdOf(keys.publicKey),
        previousId: latest.id,
      };
      // Signed with a key of the forger's own, under the real key's id.
      await tx.auditCheckpoint.create({ data: { ...fields, signature: signCheckpoint(fields, otherKeys.privateKey) } });
      expect(await tx.$executeRaw`DELETE FROM audit_events WHERE seq <= ${oldest!.seq}`).toBe(1);
      return verify(tx);
    });
    expect(report).toMatchObject({
      isIntact: false,
      broken: { seq: "14", reason: expect.stringMatching(/has an invalid signature \(it was forged or altered\)/) },
    });
  });

  it("finds a checkpoint a superuser altered", async () => {
    const report = await rolledBack(async (tx) => {
      await tx.$executeRawUnsafe("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only");
      await tx.$executeRaw`UPDATE audit_checkpoints SET removed_events = removed_events - 1 WHERE through_seq = 9`;
      await tx.$executeRawUnsafe("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only");
      return verify(tx);
    });
    expect(report).toMatchObject({
      isIntact: false,
      broken: { seq: "9", reason: expect.stringMatching(/has an invalid signature/) },
    });
    expect(await verify()).toMatchObject({ isIntact: true });
  });

  it("finds an event a superuser removed after the checkpoint, or put back before it", async () => {
    const events = await remaining();
    const removedFirst = await rolledBack(async (tx) => {
      await tx.$executeRawUnsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.$executeRaw`DELETE FROM audit_events WHERE seq = ${events[0]!.seq}`;
      return verify(tx);
    });
    expect(removedFirst).toMatchObject({
      isIntact: false,
      broken: { seq: events[1]!.seq.toString(), reason: expect.stringMatching(/does not link/) },
    });
    const removedMiddle = await rolledBack(async (tx) => {
      await tx.$executeRawUnsafe("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.$executeRaw`DELETE FROM audit_events WHERE seq = ${events[2]!.seq}`;
      return verify(tx);
    });
    expect(removedMiddle).toMatchObject({ isIntact: false, broken: { seq: events[3]!.seq.toString() } });
    const putBack = await rolledBack(async (tx) => {
      await tx.$executeRaw`INSERT INTO audit_events (seq, id, occurred_at, type, data, prev_hash, hash)
        VALUES (5, gen_random_uuid(), '2026-06-01T08:00:00Z', 'session.signed_out', '{}', ${"1".repeat(64)}, ${"2".repeat(64)})`;
      return verify(tx);
    });
    expect(putBack).toMatchObject({
      isIntact: false,
      broken: {
        seq: "5",
        reason: expect.stringMatching(/recorded although checkpoint .* says every event up to seq 13/),
      },
    });
    expect(await verify()).toMatchObject({ isIntact: true });
  });

  it("continues the chain from the checkpoint when every event goes", async () => {
    const last = (await remaining()).at(-1)!;
    const everything = { cutOff: new Date("2099-01-01T00:00:00Z"), operator, signingKey: keys.privateKey, now };
    const { checkpoint } = await retainAuditHistory(db, everything);
    expect(checkpoint.throughSeq).toBe(last.seq.toString());
    const [retained, ...others] = await remaining();
    expect(others).toEqual([]);
    expect(retained).toMatchObject({ type: "audit.retained", prevHash: last.hash });
    expect(await verify()).toMatchObject({ isIntact: true, events: 1, checkpoints: 3 });
  });
});
