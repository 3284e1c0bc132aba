/* One run's shared pieces: the PostgreSQL every replica uses (migrated by the build's migrate.mjs, as
 * the chart's pre-upgrade hook does), the emulator with a tenant of many requesters, and the
 * environment every app process gets. Data in .data/test/replicas-<run>, deleted by stop(). */
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { ensureCertificates } from "../../emulator/certs";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { demoAppEnv } from "../../scripts/lib/demo-env";
import { CERT_DIR, DATA_DIR } from "../../scripts/lib/paths";
import { runQuietly } from "../../scripts/lib/processes";
import { STANDALONE } from "./app-processes";
import { Emulator } from "./clients";
import { startDatabase, type Database } from "./database";
import { People, tenantWithRequesters, type Person } from "./tenant";

export interface ReplicaStack {
  runDir: string;
  database: Database;
  /** for the assertions: a pool on the direct connection, which reconnects after a restart */
  db: pg.Pool;
  emulator: Emulator;
  people: People;
  /** the approver group's members; the first approves every request */
  approvers: Person[];
  /** every app process's environment (DATABASE_URL direct; a PgBouncer run overrides it) */
  env: Record<string, string>;
  /** stops everything and deletes the run's data; with `keepLogs`, the processes' logs are kept and named */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

export async function startReplicaStack(requesterCount: number): Promise<ReplicaStack> {
  const runDir = path.join(DATA_DIR, "test", `replicas-${process.pid}-${randomBytes(3).toString("hex")}`);
  mkdirSync(runDir, { recursive: true });
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async ({ keepLogs = false } = {}) => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch((error) => console.error(error));
    if (keepLogs) keepLogFiles(runDir);
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const tls = await ensureCertificates(CERT_DIR);
    const { tenant, requesters, approvers } = tenantWithRequesters(path.join(runDir, "tenant.json"), requesterCount);
    const database = await startDatabase(runDir);
    stoppers.push(database.stop);
    // Requests end right after activation here: PIM's 5-minute minimum before removal (emulator
    // default 300 s) is not what these runs check, so it is off.
    const running: RunningEmulator = await startEmulator({
      tenant,
      tls,
      port: 0,
      settings: { minimumActiveDurationSeconds: 0 },
    });
    stoppers.push(running.close);
    const env = {
      ...demoAppEnv({
        // The public address behind the load balancer: links in notifications point there.
        appUrl: "http://localhost:3000",
        emulatorUrl: running.url,
        databaseUrl: database.url,
        sessionSecret: randomBytes(48).toString("base64url"),
        caPath: tls.caPath,
        tenant,
      }),
      LOG_LEVEL: "info",
      // On SIGTERM a worker waits this long for the jobs in hand, then hands them back.
      SHUTDOWN_TIMEOUT_SECONDS: "5",
      // Many people sign in from this one address and one approver decides them all: the limits are
      // raised so that they measure the replicas, not the rate limits (test/integration/limits.test.ts).
      RATE_LIMIT_DECISIONS: "100000/1m",
      RATE_LIMIT_SIGN_IN: "100000/1m",
    };
    // The migration step as the chart runs it: the build's migrate.mjs on the direct connection.
    await runQuietly(process.execPath, ["migrate.mjs"], {
      cwd: STANDALONE,
      env: { PATH: process.env.PATH ?? "", ...env, NODE_ENV: "production" },
    });
    const db = new pg.Pool({ connectionString: database.url, max: 2 });
    // Idle connections die with a restart of the server; the pool opens new ones.
    db.on("error", () => undefined);
    stoppers.push(() => db.end());
    return {
      runDir,
      database,
      db,
      emulator: new Emulator(running.url),
      people: new People(requesters),
      approvers,
      env,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Copies the run's logs (every process, PostgreSQL, PgBouncer) out of the data that stop() deletes. */
function keepLogFiles(runDir: string) {
  const kept = `${runDir}-logs`;
  mkdirSync(kept, { recursive: true });
  for (const entry of readdirSync(runDir, { recursive: true, encoding: "utf8" })) {
    if (entry.endsWith(".log") || entry.endsWith(".json")) cpSync(path.join(runDir, entry), path.join(kept, entry));
  }
  console.error(`[replicas] logs of the run: ${kept}`);
}
