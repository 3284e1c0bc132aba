import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../../scripts/lib/paths";

/** `npm run catalog:check` is what operators run before deploying a catalog change. */
const dir = mkdtempSync(path.join(tmpdir(), "catalog-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (file: string) =>
  spawnSync(path.join(BIN, "tsx"), ["scripts/catalog-check.ts", file], { cwd: ROOT, encoding: "utf8" });

describe("npm run catalog:check", () => {
  it("summarises the demo catalog and exits 0", () => {
    const result = check("jit.catalog.yaml");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("aks-prod-weu (production): admin [1 approval, max 8 h, break-glass]");
    expect(result.stdout).toContain("aks-dev-weu (development): admin [self-activation");
  });

  it("names file, line and path of each problem and exits 1", () => {
    const broken = readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8").replace(
      "maxDuration: PT8H",
      "maxDuration: 8 hours",
    );
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, broken);
    const result = check(file);
    expect(result.status).toBe(1);
    const line = broken.split("\n").findIndex((l) => l.includes("8 hours")) + 1;
    expect(result.stderr + result.stdout).toMatch(
      new RegExp(
        `broken\\.yaml:${line}:\\d+ clusters\\[0\\]\\.roles\\[0\\]\\.policy\\.maxDuration: must be an ISO 8601 duration`,
      ),
    );
  });
});

/** As `npm run catalog:check -- --live --strict` runs it: the app's environment (this file's emulator). */
async function checkLive(file: string, env: Record<string, string> = {}) {
  const result = await promisify(execFile)(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/catalog-check.ts", file, "--live", "--strict"],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" },
  ).then(
    (ok) => ({ ...ok, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

describe("npm run catalog:check -- --live --strict", () => {
  const UNCOVERABLE = path.join("test", "fixtures", "catalog-uncoverable.yaml");
  const APPROVER = "09ecf0d7-9504-4f6c-b557-71f30e9759bf";
  const NO_SUCH_GROUP = "0badbad0-0000-4000-8000-000000000404";

  it("passes the demo catalog against the demo tenant", async () => {
    const { code, output } = await checkLive("jit.catalog.yaml");
    expect(output).toContain(
      "Approver coverage (members read through Microsoft Graph): every role can be approved and heard.",
    );
    expect(code).toBe(0);
  }, 60_000);

  it("says what --live needs when the app's configuration is invalid", async () => {
    const { code, output } = await checkLive("jit.catalog.yaml", { AUDITOR_GROUP_IDS: "not-a-group-id" });
    expect(output).toContain("--live reads Graph as the app does and needs its configuration (npm run config:check)");
    expect(output).toContain("AUDITOR_GROUP_IDS");
    expect(output).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
  }, 60_000);

  it("counts only approvers who hold the app's approver role (APPROVER_GROUP_IDS)", async () => {
    // The auditors group as the only approver role group: nobody in the catalog's approver group may approve.
    const { code, output } = await checkLive("jit.catalog.yaml", {
      APPROVER_GROUP_IDS: "3ecc833e-183f-465d-9f69-9b4e2ad22ec5",
    });
    for (const role of ["admin", "node-access", "cluster-admin"]) {
      expect(output).toContain(
        `aks-prod-weu/${role}: needs 1 approval, but its approver group "approver" (${APPROVER}) has 2 distinct people; none of them is in an APPROVER_GROUP_IDS group`,
      );
    }
    expect(output).toContain("Fix: Put the approvers who are in no APPROVER_GROUP_IDS group in one that it names");
    expect(code).toBe(1);
  }, 60_000);

  it("fails a role the tenant's approvers cannot cover, naming the role, the group and the fix", async () => {
    // Regression guard: the catalog alone cannot tell; only the members Graph reports show it.
    expect(check(UNCOVERABLE).status).toBe(0);
    const { code, output } = await checkLive(UNCOVERABLE);
    expect(output).toContain(
      `aks-prod-weu/admin: needs 2 approvals, but its approver group "approver" (${APPROVER}) has 2 distinct people, 1 of whom may request it too`,
    );
    expect(output).toContain(
      `Fix: Add at least 1 more person who does not request this role to the approver group "approver" (${APPROVER})`,
    );
    expect(output).toContain(
      `aks-prod-weu/node-access: approver group ${NO_SUCH_GROUP} does not exist in the tenant (Graph answers 404)`,
    );
    expect(output).toContain(
      `Fix: Put the approver group's object id in approverGroups of aks-prod-weu/node-access in ${UNCOVERABLE}`,
    );
    expect(output).toContain(`--strict: 2 approver coverage warnings in ${UNCOVERABLE}`);
    expect(code).toBe(1);
  }, 60_000);
});
