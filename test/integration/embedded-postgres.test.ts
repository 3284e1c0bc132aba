import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { DATA_DIR } from "../../scripts/lib/paths";
import { freePort } from "../support/stack";

/**
 * Guards the launcher against the two ways a previous run can leave the data folder: a launcher
 * killed hard (its server or its lock file left behind), and a launcher still running.
 */
mkdirSync(path.join(DATA_DIR, "test"), { recursive: true });
const root = mkdtempSync(path.join(DATA_DIR, "test", "stale-"));
chmodSync(root, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the folder

afterAll(() => rmSync(root, { recursive: true, force: true }));

function holdPostgres(dataDir: string, port: number) {
  // `node --import tsx`, not the tsx CLI: one process, so killing it is killing the server's owner.
  const args = ["--import", "tsx", "test/support/hold-postgres.ts", dataDir, String(port), path.join(root, "held.log")];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return { child, ready };
}

async function canQuery(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query("SELECT 1 AS ok")).rows[0].ok === 1;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("starts again after the process that ran it was killed hard", async () => {
    const dataDir = path.join(root, "killed");
    const port = await freePort();
    const holder = holdPostgres(dataDir, port);
    await holder.ready;
    holder.child.kill("SIGKILL");
    await new Promise((resolve) => holder.child.once("exit", resolve));
    const orphan = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    expect(isAlive(orphan)).toBe(true); // the server outlives its launcher, holding the port and lock file

    const db = await startEmbeddedPostgres({ dataDir, port, database: "held", logFile: path.join(root, "again.log") });
    try {
      expect(isAlive(orphan)).toBe(false);
      expect(await canQuery(db.url)).toBe(true);
    } finally {
      await db.stop();
    }
  }, 60_000);

  it("refuses to take over a data folder that a running process is using, and says who", async () => {
    const dataDir = path.join(root, "busy");
    const port = await freePort();
    const holder = holdPostgres(dataDir, port);
    await holder.ready;
    try {
      await expect(
        startEmbeddedPostgres({ dataDir, port, database: "held", logFile: path.join(root, "busy.log") }),
      ).rejects.toThrow(`in use by another AKS JIT process (pid ${holder.child.pid})`);
    } finally {
      holder.child.kill("SIGTERM");
      await new Promise((resolve) => holder.child.once("exit", resolve));
    }
  }, 60_000);

  // Guards against `spawn …/initdb EACCES` for a clone inside root's home folder (mode 700): as
  // root the server runs as `postgres`, which cannot enter that folder.
  it("runs as root from a folder the postgres user cannot enter, from a place that user can reach", async () => {
    const locked = mkdtempSync(path.join(root, "locked-")); // mode 700, root's own
    const dataDir = path.join(locked, "postgres");
    const db = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: "locked",
      logFile: path.join(root, "locked.log"),
      isEphemeral: true,
    });
    try {
      expect(await canQuery(db.url)).toBe(true);
      if (userInfo().uid === 0) {
        expect(db.dataDir.startsWith("/var/tmp/aks-jit-")).toBe(true);
      } else {
        expect(db.dataDir).toBe(dataDir); // a normal user runs the server itself, where it was asked
      }
    } finally {
      await db.stop();
    }
    expect(existsSync(path.dirname(db.dataDir))).toBe(userInfo().uid !== 0); // an ephemeral one leaves nothing
  }, 120_000);
});
