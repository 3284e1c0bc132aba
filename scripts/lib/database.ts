/* The database the launchers use: DATABASE_URL when set, otherwise the embedded PostgreSQL in .data/. */
import path from "node:path";
import { parseMigrateEnv } from "../../lib/config/env-schema.js";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { applyMigrations } from "../../lib/db/migrations";
import { setUpJobQueues } from "../../lib/jobs/queue-setup";
import { DATA_DIR, LOG_DIR, ROOT } from "./paths";

export interface LocalDatabase {
  url: string;
  isEmbedded: boolean;
  /** the embedded cluster's folder: .data/postgres, or one under /var/tmp when root cannot share .data */
  dataDir?: string;
  stop(): Promise<void>;
}

export async function openDatabase(options: { externalUrl?: string; port: number }): Promise<LocalDatabase> {
  if (options.externalUrl) return { url: options.externalUrl, isEmbedded: false, stop: async () => {} };
  const db = await startEmbeddedPostgres({
    dataDir: path.join(DATA_DIR, "postgres"),
    port: options.port,
    database: "aks_jit",
    logFile: path.join(LOG_DIR, "postgres.log"),
  });
  return { url: db.url, isEmbedded: true, dataDir: db.dataDir, stop: db.stop };
}

/**
 * This build's migrations (the runner the image uses, compatible with `prisma migrate deploy`), and
 * the job queues with the options of this environment (JOB_* variables).
 */
export async function migrate(databaseUrl: string) {
  const applied = await applyMigrations(databaseUrl, path.join(ROOT, "prisma", "migrations"));
  await setUpJobQueues(parseMigrateEnv({ ...process.env, DATABASE_URL: databaseUrl }));
  return applied.length === 0 ? "database schema is up to date" : `${applied.length} migrations applied`;
}
