/* What every benchmark (scripts/bench-*.ts) needs: its flags, percentiles, and a fresh database of its own. */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { freePort } from "../../test/support/stack";
import { DATA_DIR } from "../lib/paths";

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
