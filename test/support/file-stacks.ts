/**
 * Integration test files run in parallel, each against its own copy of what the app talks to: one
 * PostgreSQL for the run holds a migrated template database, and every test file gets a database
 * cloned from it (CREATE DATABASE ... TEMPLATE) and an emulator of its own, fresh from the demo
 * tenant. So no file sees another's rows, jobs, clock offset, faults, settings or users, whatever
 * runs beside it or ran before it in the same worker.
 *
 * A test file's process asks for its stack over HTTP (test/integration/file-env.ts), naming its vitest
 * worker slot: the slot's previous stack is dropped then, since that file has finished.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { ensureCertificates } from "../../emulator/certs";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { migrate } from "../../scripts/lib/database";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { CERT_DIR, DATA_DIR } from "../../scripts/lib/paths";
import { freePort, testAppEnv } from "./stack";
import { grantProvisionerRole } from "./test-catalog";

const TEMPLATE = "jit_template";

export interface FileStacks {
  /** POST {url}/stacks/{slot} answers a fresh stack's app environment */
  url: string;
  stop(): Promise<void>;
}

interface Stack {
  database: string;
  emulator: RunningEmulator;
  env: Record<string, string>;
}

const withDatabase = (url: string, name: string) => Object.assign(new URL(url), { pathname: `/${name}` }).href;

export async function startFileStacks(options: {
  catalogPath: string;
  testClusterIds: string[];
  /** stacks made ahead: one per worker that runs at once */
  spares: number;
}): Promise<FileStacks> {
  const runDir = path.join(DATA_DIR, "test", `${process.pid}-${randomBytes(3).toString("hex")}`);
  const tls = await ensureCertificates(CERT_DIR);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(runDir, "postgres"),
    port: await freePort(),
    database: TEMPLATE,
    logFile: path.join(runDir, "postgres.log"),
    isEphemeral: true,
  });
  // One connection runs every CREATE and DROP DATABASE, one at a time.
  const admin = new pg.Client({ connectionString: withDatabase(server.url, "postgres") });
  let adminQueue: Promise<unknown> = Promise.resolve();
  const runAdmin = (sql: string) => {
    const result = adminQueue.then(() => admin.query(sql));
    adminQueue = result.catch(() => {});
    return result;
  };
  let created = 0;

  async function newStack(): Promise<Stack> {
    const database = `file_${++created}`;
    await runAdmin(`CREATE DATABASE "${database}" TEMPLATE ${TEMPLATE}`);
    const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
    // The suites simulate time in the app (a `now` passed to the use cases) but not at the emulator,
    // so PIM's 5-minute minimum before removal would refuse every early end they simulate: it is off
    // here, and the tests of that rule switch it on (the emulator's default, and the demo's, is 300 s).
    const emulator = await startEmulator({ tenant, tls, port: 0, settings: { minimumActiveDurationSeconds: 0 } });
    const env = testAppEnv({
      // No app listens here in integration tests; the app's configuration needs its URL all the same.
      appUrl: `http://localhost:${await freePort()}`,
      emulatorUrl: emulator.url,
      databaseUrl: withDatabase(server.url, database),
      caPath: tls.caPath,
      tenant,
      catalogPath: options.catalogPath,
    });
    const app = { url: emulator.url, caPath: tls.caPath, appPrincipalId: env.ENTRA_CLIENT_ID! };
    for (const scope of options.testClusterIds) await grantProvisionerRole(app, scope);
    return { database, emulator, env };
  }

  async function discard(stack: Stack) {
    await stack.emulator.close();
    // FORCE: the finished file's process may still be on its way out, holding connections.
    await runAdmin(`DROP DATABASE IF EXISTS "${stack.database}" WITH (FORCE)`);
  }

  const held = new Map<string, Stack>();
  const discarding: Array<Promise<void>> = [];
  // The next files' stacks are made while the current files run (about a second each).
  const spares: Array<Promise<Stack>> = [];
  const makeSpare = () => {
    const spare = newStack();
    spare.catch(() => {}); // reported to the file that takes it
    spares.push(spare);
  };

  async function stackFor(slot: string) {
    const previous = held.get(slot);
    held.delete(slot);
    if (previous) discarding.push(discard(previous).catch((error) => console.error(error)));
    const next = spares.shift() ?? newStack();
    makeSpare();
    const stack = await next;
    held.set(slot, stack);
    return stack.env;
  }

  const control = http.createServer((request, response) => {
    const slot = /^\/stacks\/([\w-]+)$/.exec(request.url ?? "")?.[1];
    if (request.method !== "POST" || !slot) return void response.writeHead(404).end();
    stackFor(slot).then(
      (env) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(env)),
      (error: unknown) => response.writeHead(500).end(error instanceof Error ? error.stack : String(error)),
    );
  });

  try {
    await migrate(server.url);
    await admin.connect();
    // A clone needs its template idle: nobody connects to it from here on.
    await admin.query(`ALTER DATABASE ${TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [TEMPLATE]);
    await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
    for (let i = 0; i < options.spares; i++) makeSpare();
  } catch (error) {
    await stopAll();
    throw error;
  }

  async function stopAll() {
    control.close();
    await Promise.all(discarding);
    const unused = await Promise.all(spares.map((spare) => spare.catch(() => undefined)));
    for (const { emulator } of [...held.values(), ...unused.filter((stack) => stack !== undefined)])
      await emulator.close().catch((error) => console.error(error));
    await admin.end().catch(() => {});
    await server.stop();
    rmSync(runDir, { recursive: true, force: true });
  }

  return { url: `http://127.0.0.1:${(control.address() as AddressInfo).port}`, stop: stopAll };
}
