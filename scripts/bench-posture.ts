/* `npm run bench:posture [-- --clusters N]`: one posture check of every catalog cluster (N seeded, default
 * 500, plus the demo's two) through the real code (lib/posture/check-posture.ts, as "Check now" runs it):
 * a fresh embedded PostgreSQL, the emulator in its own process with N more clusters
 * (emulator/scale-seed.ts, left as `az aks create` makes them, so each has findings) and Azure's
 * throttling budgets on, and the matching catalog (scripts/bench/scale-catalog.ts). Prints the check's
 * duration, the ARM reads, the floor that ARM's read budget sets (emulator/throttling.ts: a burst of
 * 250, then 25 reads/s per principal and subscription) and the goal, floor + 20 %. Figures, not
 * assertions: compare runs. The check reads each cluster's standing-access map too
 * (lib/posture/standing-access.ts: role assignments at and above the cluster and on its nodes), and
 * its diagnostic settings (where its audit logs go: one more read per cluster, in the floor). */
import { rmSync } from "node:fs";
import { ensureCertificates } from "../emulator/certs";
import { AZURE_BUDGETS } from "../emulator/throttling";
import { Tenant } from "../emulator/tenant";
import { freePort, testAppEnv } from "../test/support/stack";
import {
  argument,
  benchRunDir,
  mark,
  phaseLogger,
  seconds,
  startBenchDatabase,
  startScaleEmulator,
} from "./bench/common";
import { writeScaleCatalog } from "./bench/scale-catalog";
import { migrate } from "./lib/database";
import { DEMO_TENANT_FILE } from "./lib/demo-env";
import { CERT_DIR } from "./lib/paths";
import { stop } from "./lib/processes";

const CLUSTERS = Number(argument("clusters") ?? 500);
const AT_ONCE = Number(argument("at-once") ?? 8);
const { capacity: ARM_READ_BURST, refillPerSecond: ARM_READS_PER_SECOND } = AZURE_BUDGETS.armReads;
/** ARM's floor for this many reads answered: what the burst does not cover, at the refill rate. */
const floorSeconds = (armReads: number) => Math.max(0, armReads - ARM_READ_BURST) / ARM_READS_PER_SECOND;

const phase = phaseLogger();

const runDir = benchRunDir("posture");
const tls = await ensureCertificates(CERT_DIR);
const database = await startBenchDatabase(runDir);
const emulatorPort = await freePort();
const { emulator, url: emulatorUrl, ready: emulatorReady } = startScaleEmulator(emulatorPort, CLUSTERS);
let stopApp: (() => Promise<void>) | undefined;
try {
  await emulatorReady();
  const throttling = (await (await fetch(`${emulatorUrl}/_emulator/throttling`)).json()) as { enabled?: boolean };
  phase(`emulator ready (throttling ${throttling.enabled ? "on" : "OFF: the check may beat the floor"})`);
  await migrate(database.url);
  phase("database migrated");
  Object.assign(
    process.env,
    testAppEnv({
      appUrl: `http://localhost:${await freePort()}`,
      emulatorUrl,
      databaseUrl: database.url,
      caPath: tls.caPath,
      tenant: Tenant.fromFile(DEMO_TENANT_FILE),
      catalogPath: writeScaleCatalog(runDir, CLUSTERS),
    }),
  );
  // The app's modules read their configuration at import: after the environment is set.
  const { db } = await import("../lib/db/client");
  const { checkAllPostures } = await import("../lib/posture/check-posture");
  const { ZPostureFinding } = await import("../lib/posture/types");
  stopApp = () => db.$disconnect();
  // As in a running app: the catalog loaded, the database connected and the app's ARM token in hand
  // (the token endpoint is not ARM: it spends none of the read budget).
  const { getCatalog } = await import("../lib/config/catalog");
  const { appCredential } = await import("../lib/cloud/credentials");
  const { env } = await import("../lib/config/env");
  getCatalog();
  await db.$queryRaw`SELECT 1`;
  await appCredential().getToken(env.ARM_APP_SCOPE);
  phase("catalog loaded, database connected, ARM token acquired");

  console.log(`Posture check of ${CLUSTERS} seeded clusters (+ the demo's), ${AT_ONCE} at a time in one process`);
  await fetch(`${emulatorUrl}/_emulator/calls`, { method: "DELETE" });
  const started = performance.now();
  const checks = await checkAllPostures(new Date(), "bench-posture", AT_ONCE);
  const durationMs = performance.now() - started;

  // Every read the check made, the clusters' settings and the standing-access map's (role assignments
  // and definitions, at ARM; groups and names, at Graph), as the emulator served them: a read answered
  // 429 is not served and takes no token from the bucket, so the floor is that of the reads served.
  const served = (await (await fetch(`${emulatorUrl}/_emulator/calls`)).json()) as {
    calls: Array<{ method: string; path: string; status: number | null }>;
  };
  const armReads = served.calls.filter((c) => c.method === "GET" && /^\/(subscriptions|providers)\//i.test(c.path));
  const settingsReads = armReads.filter((c) => /managedClusters\/[^/]+$/i.test(c.path)).length;
  // Issue 19: where each cluster's audit logs go, one list of its diagnostic settings.
  const diagnosticReads = armReads.filter((c) => /\/diagnosticSettings$/i.test(c.path)).length;
  const graphReads = served.calls.filter((c) => c.method === "GET" && c.path.startsWith("/v1.0/")).length;
  const throttled = checks.reduce((n, c) => n + c.armThrottled, 0);
  const floorMs = floorSeconds(armReads.length) * 1000;
  const goalMs = floorMs * 1.2;
  const failed = checks.filter((c) => c.outcome === "failed").length;
  const severities = new Map<string, number>();
  for (const row of await db.clusterPosture.findMany({ select: { findings: true } })) {
    for (const finding of ZPostureFinding.array().parse(row.findings)) {
      severities.set(finding.severity, (severities.get(finding.severity) ?? 0) + 1);
    }
  }
  const changes = await db.auditEvent.count({ where: { type: "posture.changed" } });

  const goal =
    floorMs > 0
      ? `goal ≤ floor + 20 % = ${seconds(goalMs)}) ${mark(durationMs <= goalMs)}`
      : "no floor: within the burst)";
  console.log(`\n  check duration     ${seconds(durationMs)} (${goal}`);
  console.log(
    `  floor              ${seconds(floorMs)}: ${armReads.length} ARM reads served − ${ARM_READ_BURST} burst at ${ARM_READS_PER_SECOND}/s`,
  );
  console.log(
    `  ARM reads          ${armReads.length} served (${(armReads.length / checks.length).toFixed(1)} per cluster: ` +
      `${settingsReads} of the clusters' settings, ${diagnosticReads} of their diagnostic settings, the rest role assignments and definitions for standing access); ` +
      `${throttled} answered 429 to the settings reads and retried`,
  );
  console.log(`  Graph reads        ${graphReads} (groups' members and names, read once per run)`);
  console.log(`  clusters           ${checks.length} checked, ${failed} not read (goal 0) ${mark(failed === 0)}`);
  console.log(`  findings           ${[...severities].map(([s, n]) => `${n} ${s}`).join(", ")}`);
  console.log(
    `  audit rows written ${changes} posture.changed (goal: one per cluster) ${mark(changes === checks.length)}`,
  );
  console.log(
    `  load average       ${(await import("node:os"))
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await stopApp?.().catch((error: unknown) => console.error(error));
  await stop(emulator);
  await database.stop();
  rmSync(runDir, { recursive: true, force: true });
  phase("everything stopped");
}
