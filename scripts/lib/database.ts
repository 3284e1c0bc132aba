/* The database the launchers use: DATABASE_URL when set, otherwise the embedded PostgreSQL in .data/. */
import path from "node:path";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { BIN, DATA_DIR, LOG_DIR, ROOT } from "./paths";
import { runQuietly } from "./processes";

export interface LocalDatabase {
  url: string;
  isEmbedded: boolean;
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
  return { url: db.url, isEmbedded: true, stop: db.stop };
}

/** `prisma migrate deploy` through the JavaScript schema engine (see prisma.config.ts). */
export async function migrate(databaseUrl: string) {
  const output = await runQuietly(path.join(BIN, "prisma"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  return /No pending migrations/.test(output) ? "database schema is up to date" : "migrations applied";
}
