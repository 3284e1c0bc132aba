/**
 * `npm run lockfile:complete`, after any `npm install` that changes package-lock.json.
 * `--check` (part of `npm run lint`) only reports, and fails if an entry is missing.
 *
 * The npm registry reachable from our machines lacks some other-platform builds of native packages
 * (e.g. @next/swc-darwin-arm64 at our Next version). npm then leaves those optional dependencies
 * out of package-lock.json, and `npm ci` refuses the lock file as out of sync ("Missing: ... from
 * lock file"). This adds an entry for each missing one, marked optional with the os/cpu/libc its
 * name declares: `npm ci` skips it on any other platform without fetching it, as it does for any
 * lock file made on another operating system.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/paths";

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  [key: string]: unknown;
}

const OS = ["darwin", "linux", "win32", "freebsd", "android", "openharmony", "sunos", "aix", "netbsd", "openbsd"];
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "wasm32", "mips64el"];

export function platformOf(name: string) {
  const parts = name.split("/").pop()!.split("-");
  const os = OS.filter((o) => parts.includes(o));
  const cpu = CPU.filter((c) => parts.includes(c) || parts.some((p) => p === `${c}eabihf` || p === `${c}eabi`));
  const libc = parts.some((p) => p.startsWith("musl"))
    ? ["musl"]
    : parts.some((p) => p.startsWith("gnu"))
      ? ["glibc"]
      : [];
  return { os, cpu, libc };
}

const file = path.join(ROOT, "package-lock.json");
const lock = JSON.parse(readFileSync(file, "utf8")) as { packages: Record<string, LockEntry> };
const added: string[] = [];

for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolution walks up from the dependent's folder, as Node does.
    const candidates: string[] = [];
    let base = location;
    for (;;) {
      candidates.push(`${base ? `${base}/` : ""}node_modules/${name}`);
      if (!base) break;
      const index = base.lastIndexOf("/node_modules/");
      base = index === -1 ? "" : base.slice(0, index);
    }
    if (candidates.some((c) => lock.packages[c])) continue;
    const version = range.replace(/^[\^~=]/, "");
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new Error(`cannot pin ${name}@${range} (from ${location})`);
    const { os, cpu, libc } = platformOf(name);
    if (cpu.length === 0) throw new Error(`cannot tell the platform of ${name}; add its lock entry by hand`);
    const target = `node_modules/${name}`;
    // Keys in npm's own order, so that a later `npm install` leaves the entry as it is.
    lock.packages[target] = {
      version,
      cpu,
      ...(entry.dev === true ? { dev: true } : {}),
      ...(libc.length ? { libc } : {}),
      optional: true,
      ...(os.length ? { os } : {}),
    };
    added.push(`${name}@${version}`);
  }
}

if (process.argv.includes("--check")) {
  if (added.length) {
    console.error(
      `package-lock.json lacks ${added.length} optional platform entries (${added.join(", ")}): npm ci would refuse it. Run: npm run lockfile:complete`,
    );
    process.exit(1);
  }
  process.exit(0);
}

lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length
    ? `added ${added.length} optional platform entries:\n  ${added.join("\n  ")}`
    : "package-lock.json is complete",
);
