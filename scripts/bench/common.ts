/* What every benchmark (scripts/bench-*.ts) needs: its flags, percentiles, and a fresh database of its own. */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { freePort } from "../../test/support/stack";
import { DATA_DIR, ROOT } from "../lib/paths";
import { start, waitForUrl } from "../lib/processes";

/** The value after `--name` on the command line (`npm run bench:x -- --name value`), if given. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

/** The nearest-rank percentile `p` (0–100) of `values`; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A directory of this run's own under .data/bench, for its database, logs and files. */
export const benchRunDir = (name: string) =>
  path.join(DATA_DIR, "bench", `${name}-${process.pid}-${randomBytes(3).toString("hex")}`);

/** A fresh PostgreSQL in the run's directory, removed when it stops. */
export async function startBenchDatabase(runDir: string) {
  return startEmbeddedPostgres({
    dataDir: path.join(runDir, "postgres"),
    port: await freePort(),
    database: "aks_jit_bench",
    logFile: path.join(runDir, "postgres.log"),
    isEphemeral: true,
  });
}

export const mark = (isMet: boolean) => (isMet ? "✓" : "✗");
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Prints each phase with the time since the bench started: `[2.7 s] emulator ready`. */
export function phaseLogger() {
  const started = performance.now();
  return (what: string) => console.log(`  [${seconds(performance.now() - started)}] ${what}`);
}

/**
 * The emulator in a process of its own (as in the demo, so that its work does not share the bench's
 * event loop), with `clusters` more clusters (emulator/scale-seed.ts) and Azure's throttling budgets
 * on; `seeds`: the tenant overlays, "" for none. Stop it with `stop(emulator)` (scripts/lib/processes.ts) once `url` answers or not.
 */
export function startScaleEmulator(port: number, clusters: number, options: { seeds?: string } = {}) {
  const emulator = start(process.execPath, ["--import", "tsx", path.join(ROOT, "emulator", "main.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      EMULATOR_PORT: String(port),
      EMULATOR_SCALE_CLUSTERS: String(clusters),
      EMULATOR_THROTTLING: "azure",
      // The emulator's default overlays (emulator/config.ts) unless the bench says which.
      ...(options.seeds === undefined ? {} : { EMULATOR_SEEDS: options.seeds }),
    },
  });
  const url = `https://localhost:${port}`;
  const ready = () => waitForUrl(`${url}/_emulator/health`, 60_000, () => emulator.exitCode === null);
  return { emulator, url, ready };
}
