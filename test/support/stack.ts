/**
 * A disposable copy of everything the app talks to, for integration and e2e runs: a fresh
 * PostgreSQL (migrated), the Entra ID emulator, and optionally the built app. Free ports, data in
 * .data/test/<run>, and everything stopped and deleted by `stop()`: a test run leaves no server behind.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureCertificates } from "../../emulator/certs";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";
import { migrate } from "../../scripts/lib/database";
import { DEMO_TENANT_FILE, demoAppEnv } from "../../scripts/lib/demo-env";
import { BIN, CERT_DIR, DATA_DIR, ROOT } from "../../scripts/lib/paths";
import { run, start, stop, waitForUrl } from "../../scripts/lib/processes";
import { startOtlpReceiver } from "./otlp-receiver";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The app's environment against a test database and emulator: the demo's, tuned for test suites. */
export function testAppEnv(options: {
  appUrl: string;
  emulatorUrl: string;
  databaseUrl: string;
  caPath: string;
  tenant: Tenant;
  catalogPath?: string;
}): Record<string, string> {
  return {
    ...demoAppEnv({ ...options, sessionSecret: randomBytes(48).toString("base64url") }),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    // Processes started with this environment (workers in tests) take any free operations port.
    OPS_PORT: "0",
    // The suites file, decide and export far faster than people do: the rate limits and the
    // open-request cap are raised here so that they never refuse a suite's own work. The tests of
    // these limits lower them for themselves (test/integration/limits.test.ts).
    RATE_LIMIT_REQUESTS: "100000/1m",
    RATE_LIMIT_DECISIONS: "100000/1m",
    RATE_LIMIT_EXPORTS: "100000/1m",
    RATE_LIMIT_STEP_UP: "100000/1m",
    RATE_LIMIT_ACTIVITY_CHECKS: "100000/1m",
    RATE_LIMIT_SIGN_IN: "100000/1m",
    MAX_OPEN_REQUESTS_PER_ROLE: "100000",
    // Many suites file the same request again on purpose (e.g. overlapping grants in the ledger).
    REFUSE_DUPLICATE_REQUESTS: "false",
    ...(options.catalogPath ? { CATALOG_PATH: options.catalogPath } : {}),
  };
}

export interface TestStack {
  appUrl: string;
  /** the app's operations port: /livez, /readyz, /metrics */
  opsUrl: string;
  /** the stand-in OTLP collector the app sends its traces to (GET /spans) */
  otlpUrl: string;
  emulatorUrl: string;
  databaseUrl: string;
  caPath: string;
  /** the app's environment for this stack (what `next start` gets) */
  env: Record<string, string>;
  emulator: RunningEmulator;
  stop(): Promise<void>;
}

export async function startTestStack(
  options: { app?: "build-and-start" | "start"; catalogPath?: string } = {},
): Promise<TestStack> {
  const runDir = path.join(DATA_DIR, "test", `${process.pid}-${randomBytes(3).toString("hex")}`);
  const tls = await ensureCertificates(CERT_DIR);
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch((error) => console.error(error));
    rmSync(runDir, { recursive: true, force: true });
  };
  try {
    const db = await startEmbeddedPostgres({
      dataDir: path.join(runDir, "postgres"),
      port: await freePort(),
      database: "aks_jit_test",
      logFile: path.join(runDir, "postgres.log"),
      isEphemeral: true,
    });
    stoppers.push(db.stop);
    await migrate(db.url);

    const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
    // The suites simulate time in the app (a `now` passed to the use cases) but not at the emulator,
    // so PIM's 5-minute minimum before removal would refuse every early end they simulate: it is off
    // here, and the tests of that rule switch it on (the emulator's default, and the demo's, is 300 s).
    const emulator = await startEmulator({ tenant, tls, port: 0, settings: { minimumActiveDurationSeconds: 0 } });
    stoppers.push(emulator.close);

    const appPort = await freePort();
    const appUrl = `http://localhost:${appPort}`;
    const env = testAppEnv({
      appUrl,
      emulatorUrl: emulator.url,
      databaseUrl: db.url,
      caPath: tls.caPath,
      tenant,
      catalogPath: options.catalogPath,
    });

    const opsPort = await freePort();
    const otlp = await startOtlpReceiver();
    stoppers.push(otlp.close);
    if (options.app) {
      const childEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" };
      if (options.app === "build-and-start")
        await run(path.join(BIN, "tsx"), ["scripts/build.ts"], { cwd: ROOT, env: childEnv });
      // The production build as the image runs it: Next's standalone server.
      const app = start(process.execPath, [path.join(ROOT, ".next", "standalone", "server.js")], {
        cwd: ROOT,
        env: {
          ...childEnv,
          NODE_ENV: "production",
          PORT: String(appPort),
          HOSTNAME: "localhost",
          OPS_PORT: String(opsPort),
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
          // Spans reach the collector within a second, for the tests that look at them.
          OTEL_BSP_SCHEDULE_DELAY: "500",
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      stoppers.push(() => stop(app));
      await waitForUrl(`${appUrl}/api/health`, 60_000, () => app.exitCode === null);
    }

    return {
      appUrl,
      opsUrl: `http://localhost:${opsPort}`,
      otlpUrl: otlp.url,
      emulatorUrl: emulator.url,
      databaseUrl: db.url,
      caPath: tls.caPath,
      env,
      emulator,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
