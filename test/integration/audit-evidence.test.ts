import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { requestAccess } from "@/lib/access/request-access";
import { buildEvidencePack } from "@/lib/audit/evidence";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { db } from "@/lib/db/client";
import { ZEvidencePack } from "@/lib/schemas/evidence-pack";
import { ROOT } from "../../scripts/lib/paths";
import { contextFor } from "../support/users";

/** An evidence pack for one request, checked offline by `npm run audit:verify -- --pack FILE`. */

const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-evidence-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verifyPack(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // No DATABASE_URL: the pack is checked on its own.
    const { DATABASE_URL: _unused, ...environment } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", "--pack", file], {
      cwd: ROOT,
      env: environment,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("evidence packs", () => {
  it("holds every event of a request and the chain around them, and is checked offline", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess(
      { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification: "Evidence", ticket: "INC77001" },
      n01,
    );
    // Another request's events land in between: the pack links across them without their content.
    const other = await requestAccess(
      { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification: "Other", ticket: "INC77002" },
      await contextFor("n02@contoso.com"),
    );
    await cancelRequest(other.id, await contextFor("n02@contoso.com"));
    await approveRequest(request.id, { comment: "ok" }, await contextFor("p01@contoso.com"));

    await expect(buildEvidencePack(n01, request.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const auditor = await contextFor("aud01@contoso.com");
    const pack = await buildEvidencePack(auditor, request.id);
    expect(pack.events.map((e) => e.type)).toEqual(["request.created", "request.approved"]);
    // Taking the pack is on the request's trail, after the pack's own events.
    const taken = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "audit.exported" } });
    expect(taken).toMatchObject({ actorUpn: "aud01@contoso.com", data: { what: "evidence", format: "json" } });
    expect(taken.seq).toBeGreaterThan(BigInt(pack.events.at(-1)!.seq));
    // The approval says how the approver had authenticated (the session's sign-in, from Entra's ID token).
    expect(pack.events[1]!.data).toMatchObject({ authentication: { via: "session", methods: ["pwd"] } });
    // The CSV copy lists the same events, hashes included.
    const csvLines = pack.eventsCsv.trimEnd().split("\r\n");
    expect(csvLines[0]).toBe("seq,occurredAt,type,actorUpn,actorId,requestId,correlationId,data,prevHash,hash");
    expect(csvLines.slice(1).map((line) => line.split(",").at(-1))).toEqual(pack.events.map((e) => e.hash));
    expect(pack.chain.length).toBeGreaterThan(pack.events.length);
    expect(pack.request).toMatchObject({ id: request.id, status: "approved" });

    const file = path.join(dir, "pack.json");
    writeFileSync(file, JSON.stringify(pack));
    const valid = await verifyPack(file);
    expect(valid.code).toBe(0);
    expect(valid.output).toContain(`Evidence pack valid: 2 events of request ${request.id}`);

    const forged = structuredClone(pack);
    (forged.events[1]!.data as Record<string, unknown>).comment = "approved without reading";
    writeFileSync(file, JSON.stringify(forged));
    const invalid = await verifyPack(file);
    expect(invalid.code).toBe(1);
    expect(invalid.output).toContain(`event seq ${pack.events[1]!.seq} does not match its hash`);

    const edited = structuredClone(pack);
    edited.eventsCsv = edited.eventsCsv.replace("request.approved", "request.denied");
    writeFileSync(file, JSON.stringify(edited));
    const badCsv = await verifyPack(file);
    expect(badCsv.code).toBe(1);
    expect(badCsv.output).toContain("its CSV does not match its events");

    const cut = structuredClone(pack);
    cut.chain.splice(1, 1);
    writeFileSync(file, JSON.stringify(cut));
    expect((await verifyPack(file)).output).toMatch(/the chain is broken at seq/);
  }, 60_000);

  it("holds the cluster's posture and standing-access map at the time of the grant, checked offline; older packs still pass", async () => {
    const now = new Date();
    const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
    const devAdmin = { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: "Posture" };
    const auditor = await contextFor("aud01@contoso.com");

    // No check of the cluster before the grant: the pack says so.
    const unchecked = await requestAccess(devAdmin, await contextFor("n02@contoso.com", minutes(-20)));
    expect(await activateRequest(unchecked.id, minutes(-20))).toBe("active");
    const bare = await buildEvidencePack(auditor, unchecked.id);
    expect(bare.postureAtGrant).toEqual({
      clusterName: "aks-dev-weu",
      grantedAt: minutes(-20).toISOString(),
      summary: "not checked before this grant",
      event: null,
    });
    const file = path.join(dir, "posture.json");
    writeFileSync(file, JSON.stringify(bare));
    expect((await verifyPack(file)).output).toContain(
      "Posture of aks-dev-weu at the grant: not checked before this grant.",
    );

    // The posture check's events (recorded by the check, issue 18): the one before the grant is the pack's.
    const posture = (clusterName: string, at: Date, principals: number) =>
      db.$transaction((tx) =>
        recordAuditEvent(tx, {
          type: "posture.changed",
          actor: null,
          occurredAt: at,
          data: {
            clusterName,
            changes: [principals === 0 ? "first read" : "local accounts turned on"],
            facts: { areLocalAccountsDisabled: principals === 0 },
            findings:
              principals === 0
                ? []
                : [{ code: "local-accounts-enabled", severity: "high", title: "t", allows: "a", fix: "f" }],
            standing: { principals: Array.from({ length: principals }, (_, i) => ({ principalId: `p${i}` })) },
          },
        }),
      );
    await posture("aks-dev-weu", minutes(-10), 0);
    await posture("aks-dev-weu", minutes(-5), 3);
    await posture("aks-prod-weu", minutes(-2), 7);
    const n01 = await contextFor("n01@contoso.com", minutes(-1));
    const request = await requestAccess(devAdmin, n01);
    expect(await activateRequest(request.id, now)).toBe("active");
    await posture("aks-dev-weu", minutes(1), 0);

    const pack = await buildEvidencePack(auditor, request.id);
    const atGrant = pack.postureAtGrant!;
    expect(atGrant.event).toMatchObject({ type: "posture.changed", occurredAt: minutes(-5).toISOString() });
    expect(atGrant.event!.data).toMatchObject({ clusterName: "aks-dev-weu", standing: { principals: [{}, {}, {}] } });
    expect(atGrant.summary).toMatch(/^checked at .+: 1 finding\(s\), 3 standing principal\(s\)$/);
    // The chain runs from the posture event, before the request's first event, so the event is linked in.
    expect(pack.chain[0]!.seq).toBe(atGrant.event!.seq);
    expect(BigInt(pack.chain[0]!.seq)).toBeLessThan(BigInt(pack.events[0]!.seq));
    writeFileSync(file, JSON.stringify(pack));
    const valid = await verifyPack(file);
    expect(valid.code).toBe(0);
    expect(valid.output).toContain(`Posture of aks-dev-weu at the grant: ${atGrant.summary}.`);

    const fewer = structuredClone(pack);
    (fewer.postureAtGrant!.event!.data as { standing: { principals: unknown[] } }).standing.principals.pop();
    writeFileSync(file, JSON.stringify(fewer));
    expect((await verifyPack(file)).output).toContain(
      `posture event seq ${atGrant.event!.seq} does not match its hash`,
    );

    const hidden = structuredClone(pack);
    hidden.postureAtGrant!.event = null;
    writeFileSync(file, JSON.stringify(hidden));
    expect((await verifyPack(file)).output).toContain("its posture summary names no posture event");

    const dropped = structuredClone(pack);
    delete dropped.postureAtGrant;
    writeFileSync(file, JSON.stringify(dropped));
    expect((await verifyPack(file)).output).toContain("it has no postureAtGrant, which its format requires");

    // A pack taken before format /2 (no posture) still parses strictly and still verifies.
    const older = { ...structuredClone(pack), format: "aks-jit-evidence/1" as const };
    delete older.postureAtGrant;
    expect(ZEvidencePack.parse(older)).toMatchObject({ format: "aks-jit-evidence/1" });
    writeFileSync(file, JSON.stringify(older));
    const olderCheck = await verifyPack(file);
    expect(olderCheck.code).toBe(0);
    expect(olderCheck.output).not.toContain("Posture of");
    expect(ZEvidencePack.parse(JSON.parse(JSON.stringify(pack)))).toMatchObject({ format: "aks-jit-evidence/3" });
    // A pack taken in format /2 (posture, no activity) still verifies, its posture checked as before.
    const second = { ...structuredClone(pack), format: "aks-jit-evidence/2" as const };
    delete second.activity;
    writeFileSync(file, JSON.stringify(second));
    const secondCheck = await verifyPack(file);
    expect(secondCheck.code).toBe(0);
    expect(secondCheck.output).toContain("Posture of");
  }, 60_000);
});
