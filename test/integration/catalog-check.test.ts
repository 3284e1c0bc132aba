import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
