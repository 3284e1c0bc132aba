import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildEnv,
  decideBuild,
  fingerprintOf,
  readStamp,
  removeStamp,
  writeStamp,
  type Fingerprint,
} from "./build-fingerprint";

const BUILT_AT = new Date("2026-12-05T10:00:00Z");
const fingerprint = (files: Record<string, string>, env: Record<string, string> = { node: "v20" }): Fingerprint => ({
  files,
  env,
});
const stampOf = (f: Fingerprint) => ({ ...f, builtAt: BUILT_AT.toISOString() });
const SOURCE = fingerprint({ "app/page.tsx": "a1", "lib/x.ts": "b1" });

describe("decideBuild", () => {
  it.each([
    {
      case: "same source, same settings → reuse",
      input: { stamp: stampOf(SOURCE), hasOutput: true, current: SOURCE, isForced: false },
      expected: { isBuildNeeded: false, builtAt: BUILT_AT },
    },
    {
      case: "a changed file → rebuild, naming it",
      input: {
        stamp: stampOf(SOURCE),
        hasOutput: true,
        current: fingerprint({ "app/page.tsx": "a2", "lib/x.ts": "b1" }),
        isForced: false,
      },
      expected: { isBuildNeeded: true, reason: "app/page.tsx changed" },
    },
    {
      case: "an added and a removed file → rebuild, naming both",
      input: {
        stamp: stampOf(SOURCE),
        hasOutput: true,
        current: fingerprint({ "app/page.tsx": "a1", "lib/y.ts": "c1" }),
        isForced: false,
      },
      expected: { isBuildNeeded: true, reason: "2 files changed (lib/x.ts, lib/y.ts)" },
    },
    {
      case: "a build setting that matters changed → rebuild",
      input: {
        stamp: stampOf(SOURCE),
        hasOutput: true,
        current: fingerprint(SOURCE.files, { node: "v20", DEPLOYMENT_ID: "abc" }),
        isForced: false,
      },
      expected: { isBuildNeeded: true, reason: "DEPLOYMENT_ID changed" },
    },
    {
      case: "another Node version → rebuild",
      input: {
        stamp: stampOf(SOURCE),
        hasOutput: true,
        current: fingerprint(SOURCE.files, { node: "v22" }),
        isForced: false,
      },
      expected: { isBuildNeeded: true, reason: "node changed" },
    },
    {
      case: "output missing → rebuild",
      input: { stamp: stampOf(SOURCE), hasOutput: false, current: SOURCE, isForced: false },
      expected: { isBuildNeeded: true, reason: "there is no build yet" },
    },
    {
      case: "output without a stamp (a build killed half-way) → rebuild",
      input: { stamp: undefined, hasOutput: true, current: SOURCE, isForced: false },
      expected: { isBuildNeeded: true, reason: "the last build did not finish" },
    },
    {
      case: "--rebuild → rebuild although nothing changed",
      input: { stamp: stampOf(SOURCE), hasOutput: true, current: SOURCE, isForced: true },
      expected: { isBuildNeeded: true, reason: "--rebuild was given" },
    },
    {
      case: "not a git checkout → rebuild",
      input: { stamp: stampOf(SOURCE), hasOutput: true, current: undefined, isForced: false },
      expected: { isBuildNeeded: true, reason: "this is not a git checkout, so changes cannot be told" },
    },
  ])("$case", ({ input, expected }) => {
    expect(decideBuild(input)).toEqual(expected);
  });
});

describe("buildEnv", () => {
  it("keeps the variables the build reads and leaves out the ones it does not", () => {
    const env = { NEXT_PUBLIC_X: "1", DEPLOYMENT_ID: "d", APP_URL: "http://localhost:3000", DATABASE_URL: "pg://" };
    expect(buildEnv(env, "v20.19.0")).toEqual({ node: "v20.19.0", NEXT_PUBLIC_X: "1", DEPLOYMENT_ID: "d" });
  });
});

describe("fingerprintOf a git working tree", () => {
  let root: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "ignore" });
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  const decide = (stampFile: string) =>
    decideBuild({ stamp: readStamp(stampFile), hasOutput: true, current: fingerprintOf(root, {}), isForced: false });

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "fingerprint-"));
    git("init", "-q");
    write(".gitignore", ".next/\n");
    write("app/page.tsx", "export default 1;");
    write("test/a.test.ts", "1");
    git("add", ".");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reuses a finished build until a file that goes into it changes; tests and ignored files do not count", () => {
    const stampFile = path.join(root, ".next", "build-fingerprint.json");
    mkdirSync(path.dirname(stampFile));
    writeStamp(stampFile, fingerprintOf(root, {})!, BUILT_AT);
    expect(decide(stampFile)).toEqual({ isBuildNeeded: false, builtAt: BUILT_AT });

    write("test/a.test.ts", "2");
    write(".next/cache.bin", "x");
    // The benchmarks start the build; they are not in it.
    write("scripts/bench-latency.ts", "1");
    write("scripts/bench/seed.ts", "1");
    expect(decide(stampFile).isBuildNeeded).toBe(false);

    write("app/new.tsx", "untracked but not ignored");
    expect(decide(stampFile)).toEqual({ isBuildNeeded: true, reason: "app/new.tsx changed" });
    rmSync(path.join(root, "app/new.tsx"));

    rmSync(path.join(root, "app/page.tsx"));
    expect(decide(stampFile)).toEqual({ isBuildNeeded: true, reason: "app/page.tsx changed" });
  });

  it("does not take a build whose stamp was removed (a build started and did not finish)", () => {
    const stampFile = path.join(root, "stamp.json");
    writeStamp(stampFile, fingerprintOf(root, {})!, BUILT_AT);
    removeStamp(stampFile);
    expect(decide(stampFile)).toEqual({ isBuildNeeded: true, reason: "the last build did not finish" });
    writeFileSync(stampFile, "{ truncated");
    expect(decide(stampFile)).toEqual({ isBuildNeeded: true, reason: "the last build did not finish" });
  });
});
