/* The image's `node migrate.mjs` (the chart's pre-install/pre-upgrade hook): applies this build's
 * database migrations and sets up the job queues, then exits. DATABASE_URL must be a direct
 * connection (port 5432), not PgBouncer: migrations take a session-level advisory lock.
 * `npm run db:migrate` does the same against the embedded database of the demo. */
import path from "node:path";
import { parseMigrateEnv, type MigrateEnv } from "../lib/config/env-schema.js";
import { applyMigrations } from "../lib/db/migrations";
import { setUpJobQueues } from "../lib/jobs/queue-setup";

let settings: MigrateEnv;
try {
  settings = parseMigrateEnv(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const started = Date.now();
try {
  const applied = await applyMigrations(settings.DATABASE_URL, path.resolve("prisma", "migrations"));
  console.log(
    applied.length > 0
      ? `Applied ${applied.length} migrations: ${applied.join(", ")}`
      : "Database schema is up to date",
  );
  await setUpJobQueues(settings);
  console.log(`Job queues are set up. Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  console.error(`Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
