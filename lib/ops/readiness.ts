import "server-only";
import path from "node:path";
import { db } from "@/lib/db/client";
import { listMigrations } from "@/lib/db/migrations";
import type { HealthCheck } from "@/lib/schemas/health";
import { withTimeout } from "@/lib/with-timeout";
import { isDraining } from "./lifecycle";

export type Check = HealthCheck;

export interface Readiness {
  isReady: boolean;
  checks: Record<string, Check>;
}

const TIMEOUT_MS = 3_000;
const globalForMigrations = globalThis as unknown as { areMigrationsApplied?: boolean };

/** The database answers within the probe's budget. */
export async function checkDatabase(): Promise<Check> {
  return timed(async () => {
    await db.$queryRaw`SELECT 1`;
  });
}

/**
 * Every migration this build ships is applied: a pod of a new version must not take traffic
 * before the pre-upgrade migration has run. Once true, it stays true for the life of the process.
 */
export async function checkMigrations(): Promise<Check> {
  if (globalForMigrations.areMigrationsApplied) return { status: "ok" };
  return timed(async () => {
    // The image and the repository both hold them here, relative to where the process runs.
    const shipped = listMigrations(path.resolve(/* turbopackIgnore: true */ process.cwd(), "prisma", "migrations"));
    const rows = await db.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const applied = new Set(rows.map((row) => row.migration_name));
    const missing = shipped.filter((migration) => !applied.has(migration.name)).map((migration) => migration.name);
    if (missing.length > 0) throw new Error(`not applied yet: ${missing.join(", ")} (run the migration step)`);
    globalForMigrations.areMigrationsApplied = true;
  });
}

/** Ready to take traffic (web) or jobs (worker): not draining, and every check passes. */
export async function readiness(extra: Record<string, () => Promise<Check>> = {}): Promise<Readiness> {
  if (isDraining()) return { isReady: false, checks: { process: { status: "down", error: "shutting down" } } };
  const named = { database: checkDatabase, migrations: checkMigrations, ...extra };
  const results = await Promise.all(Object.entries(named).map(async ([name, check]) => [name, await check()] as const));
  const checks = Object.fromEntries(results);
  return { isReady: results.every(([, check]) => check.status === "ok"), checks };
}

async function timed(probe: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  try {
    await withTimeout(probe(), TIMEOUT_MS);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "down", error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}
