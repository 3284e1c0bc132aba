/**
 * Applies prisma/migrations to a database the way `prisma migrate deploy` does, with Prisma's own
 * bookkeeping (`_prisma_migrations`, sha256 checksums, its advisory lock), so that either can take
 * over from the other. The image runs this (`migrate.mjs`, the chart's pre-upgrade hook) instead of
 * the Prisma CLI: see docs/decisions/008-production-topology.md. Each migration runs whole, as one
 * script (PL/pgSQL bodies stay intact), in one transaction with its bookkeeping row: a failed one
 * leaves nothing behind, and the next run tries it again.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/** The key Prisma's schema engine locks while it migrates: two runs of either take turns. */
const PRISMA_MIGRATE_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations shipped with this build, oldest first (their names start with a timestamp). */
export function listMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_BOOKKEEPING = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The names of the migrations of this build that the database has not applied; throws on a failed one. */
export async function pendingMigrations(client: pg.ClientBase, migrations: Migration[]): Promise<Migration[]> {
  const exists = await client.query<{ found: string | null }>(`SELECT to_regclass('"_prisma_migrations"') AS found`);
  if (!exists.rows[0]?.found) return migrations;
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
  );
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was not resolved. Fix the database, then run \`prisma migrate resolve --rolled-back ${failed.migration_name}\` (or --applied) and migrate again.`,
    );
  }
  const applied = new Set(rows.filter((row) => row.finished_at !== null).map((row) => row.migration_name));
  return migrations.filter((migration) => !applied.has(migration.name));
}

/** Applies what is pending, in order; returns the names applied. */
export async function applyMigrations(databaseUrl: string, dir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "aks-jit-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_BOOKKEEPING);
    const pending = await pendingMigrations(client, listMigrations(dir));
    for (const migration of pending) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
      }
    }
    return pending.map((migration) => migration.name);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}
