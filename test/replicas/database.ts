/* The one PostgreSQL every replica uses: the embedded server, restartable on the same data and port
 * (a stand-in for a managed server's failover), and PgBouncer in transaction mode in front of it. */
import { spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded-postgres";
import { stop } from "../../scripts/lib/processes";
import { freePort } from "../support/stack";

export interface Database {
  url: string;
  /**
   * Stops the server (fast shutdown: sessions are cut), waits `downMs` after it is down, starts it
   * again on the same data and port. Returns when the stop began and when the server was back.
   */
  restart(downMs: number): Promise<{ stoppedAt: number; startedAt: number }>;
  stop(): Promise<void>;
}

export async function startDatabase(dir: string): Promise<Database> {
  const options = {
    dataDir: path.join(dir, "postgres"),
    port: await freePort(),
    database: "aks_jit_replicas",
    logFile: path.join(dir, "postgres.log"),
  };
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres(options);
  const { url } = server;
  return {
    url,
    async restart(downMs) {
      const stoppedAt = Date.now();
      await server?.stop();
      server = undefined;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await startEmbeddedPostgres(options);
      return { stoppedAt, startedAt: Date.now() };
    },
    async stop() {
      await server?.stop();
      rmSync(options.dataDir, { recursive: true, force: true });
      rmSync(`${options.dataDir}.password`, { force: true });
    },
  };
}

/** PostgreSQL refuses root, and so does PgBouncer: as root, both run as the `postgres` user. */
function postgresUser() {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("running as root, PgBouncer needs a `postgres` user to run as");
  return { uid: Number(uid), gid: Number(gid) };
}

const PGBOUNCER = "/usr/sbin/pgbouncer";

export interface PgBouncer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian's PgBouncer (apt-get install pgbouncer) in transaction mode, as Azure's built-in one runs:
 * a server connection is the client's only for one transaction, so nothing may rely on session state.
 */
export async function startPgBouncer(databaseUrl: string, runDir: string): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER)) {
    throw new Error(`${PGBOUNCER} is missing: install Debian's pgbouncer (apt-get install pgbouncer)`);
  }
  const target = new URL(databaseUrl);
  const database = target.pathname.slice(1);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const port = await freePort();
  const dir = path.join(runDir, "pgbouncer");
  mkdirSync(dir, { recursive: true });
  const authFile = path.join(dir, "pgbouncer-users.txt");
  const iniFile = path.join(dir, "pgbouncer.ini");
  writeFileSync(authFile, `"${user}" "${password}"\n`, { mode: 0o600 });
  writeFileSync(
    iniFile,
    [
      "[databases]",
      `${database} = host=${target.hostname} port=${target.port} dbname=${database}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = scram-sha-256",
      `auth_file = ${authFile}`,
      "pool_mode = transaction",
      "max_client_conn = 400",
      "default_pool_size = 40",
      // Reconnect to the server soon after it comes back (a failover), not after the default 15 s.
      "server_login_retry = 1",
      "ignore_startup_parameters = extra_float_digits,options",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const runAs = postgresUser();
  if (runAs) for (const file of [dir, authFile, iniFile]) chownSync(file, runAs.uid, runAs.gid);
  const child = spawn(PGBOUNCER, [iniFile], { stdio: "ignore", detached: true, ...runAs });
  const url = new URL(databaseUrl);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  await waitForPort(port, child);
  return { url: url.toString(), process: child, stop: () => stop(child) };
}

async function waitForPort(port: number, child: ChildProcess) {
  const net = await import("node:net");
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PgBouncer exited with ${child.exitCode}`);
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (isOpen) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PgBouncer did not listen on ${port} within 10 s`);
}
