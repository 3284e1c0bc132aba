/* Whether the production build in .next/standalone is the build of the source as it is now, so that
 * `npm run demo` serves it instead of building again (a build takes minutes on a busy machine).
 *
 * A fingerprint is a hash of every file that can go into the build (git-tracked ones and untracked
 * ones git does not ignore) and of the few variables the build reads. scripts/build.ts removes the
 * stamp before it builds and writes it only once everything is in place, so a build that was
 * killed or failed half-way is never taken as good. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface Fingerprint {
  /** path (relative to the repository) → sha256 of its content, or "missing" */
  files: Record<string, string>;
  /** what the build reads from outside the files: Node's version and build-time variables */
  env: Record<string, string>;
}

export interface BuildStamp extends Fingerprint {
  builtAt: string;
}

type Env = Record<string, string | undefined>;

export type BuildDecision = { isBuildNeeded: false; builtAt: Date } | { isBuildNeeded: true; reason: string };

/** Files that cannot change what `npm run build` produces: tests, docs, deployment, lint settings, the launcher, the benchmarks. */
const NOT_IN_BUILD = [
  /^(test|e2e|docs|deploy|\.ci|\.github)\//,
  /^scripts\/demo\.ts$/,
  /^scripts\/bench(-[\w-]+\.ts$|\/)/,
  /\.test\.tsx?$/,
  /^[^/]+\.md$/,
  /^(Containerfile|\.dockerignore|\.gitignore|\.prettierrc\.json|\.prettierignore|\.env\.example)$/,
  /^(eslint\.config\.js|\.dependency-cruiser\.mjs|playwright\.config\.ts|vitest\.config\.ts)$/,
];

/** Build-time variables: Next inlines NEXT_PUBLIC_*, next.config.js reads DEPLOYMENT_ID. */
const BUILD_ENV = /^(NEXT_PUBLIC_.*|DEPLOYMENT_ID)$/;

export function buildEnv(env: Env, nodeVersion = process.version): Record<string, string> {
  const picked: Record<string, string> = { node: nodeVersion };
  for (const [key, value] of Object.entries(env)) {
    if (BUILD_ENV.test(key) && value !== undefined && value !== "") picked[key] = value;
  }
  return picked;
}

export function isInBuild(file: string) {
  return !NOT_IN_BUILD.some((pattern) => pattern.test(file));
}

/** The fingerprint of the working tree at `root`, or undefined outside a git checkout. */
export function fingerprintOf(root: string, env: Env): Fingerprint | undefined {
  let listing: string;
  try {
    listing = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
  const files: Record<string, string> = {};
  for (const file of [...new Set(listing.split("\0"))].filter((f) => f && isInBuild(f)).sort()) {
    const full = path.join(root, file);
    // A tracked file deleted from the working tree is listed but gone.
    files[file] = existsSync(full) ? createHash("sha256").update(readFileSync(full)).digest("hex") : "missing";
  }
  return { files, env: buildEnv(env) };
}

function describeChanges(before: Record<string, string>, after: Record<string, string>, what: string) {
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => before[key] !== after[key])
    .sort();
  if (changed.length === 0) return undefined;
  const named = changed.slice(0, 3).join(", ");
  return changed.length === 1
    ? `${named} changed`
    : `${changed.length} ${what} changed (${named}${changed.length > 3 ? ", …" : ""})`;
}

/** Pure: whether to build, and why in words, from the stamp of the last finished build. */
export function decideBuild(input: {
  stamp: BuildStamp | undefined;
  hasOutput: boolean;
  current: Fingerprint | undefined;
  isForced: boolean;
}): BuildDecision {
  const { stamp, current } = input;
  if (input.isForced) return { isBuildNeeded: true, reason: "--rebuild was given" };
  if (!input.hasOutput) return { isBuildNeeded: true, reason: "there is no build yet" };
  if (!stamp) return { isBuildNeeded: true, reason: "the last build did not finish" };
  if (!current) return { isBuildNeeded: true, reason: "this is not a git checkout, so changes cannot be told" };
  const reason =
    describeChanges(stamp.env, current.env, "build settings") ?? describeChanges(stamp.files, current.files, "files");
  return reason ? { isBuildNeeded: true, reason } : { isBuildNeeded: false, builtAt: new Date(stamp.builtAt) };
}

export function readStamp(file: string): BuildStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(file, "utf8")) as BuildStamp;
    return typeof stamp.builtAt === "string" && stamp.files && stamp.env ? stamp : undefined;
  } catch {
    return undefined;
  }
}

export function writeStamp(file: string, fingerprint: Fingerprint, builtAt = new Date()) {
  const stamp: BuildStamp = { builtAt: builtAt.toISOString(), ...fingerprint };
  writeFileSync(file, JSON.stringify(stamp));
}

export function removeStamp(file: string) {
  rmSync(file, { force: true });
}
