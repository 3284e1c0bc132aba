/* `npm run bench:latency [-- --rounds N] [-- --topology demo|worker|both]`: how long a person waits
 * between an approval and their access. Starts a fresh embedded PostgreSQL, the emulator and the
 * production build (built first unless the last build is of this source), then runs N sequential
 * rounds (default 20) through the JSON API: n01 files a request for aks-prod-weu/admin (a PIM group
 * membership and an Azure role assignment), p01 approves it, and the bench polls every 20 ms for the
 * request's status `active` (GET /api/v1/requests/{id}) and for both assignments at the emulator
 * (its state, as GET /_emulator/state reports it), timed from the moment the approval is sent; n01
 * then ends the access and the bench waits until the emulator holds neither assignment before the
 * next round. `demo` runs
 * the jobs in the web process, as `npm run demo` does; `worker` runs them in a worker process of
 * their own, as production does (default: both). Figures, not assertions: compare runs. */
import { type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import pg from "pg";
import { ensureCertificates } from "../emulator/certs";
import { startEmulator } from "../emulator/server";
import type { EmulatorState } from "../emulator/state";
import { Tenant } from "../emulator/tenant";
import { signInThroughPicker } from "../test/support/emulator-clients";
import { freePort, testAppEnv } from "../test/support/stack";
import { decideBuild, fingerprintOf, readStamp } from "./lib/build-fingerprint";
import { migrate } from "./lib/database";
import { DEMO_TENANT_FILE } from "./lib/demo-env";
import { BIN, BUILD_STAMP, CERT_DIR, ROOT, STANDALONE } from "./lib/paths";
import { run, start, stop } from "./lib/processes";
import { argument, benchRunDir, percentile, startBenchDatabase } from "./bench/common";

const ROUNDS = Number(argument("rounds") ?? 20);
const TOPOLOGIES = { demo: ["demo"], worker: ["worker"], both: ["demo", "worker"] }[argument("topology") ?? "both"];
if (!TOPOLOGIES || !(ROUNDS > 0)) {
  console.error("usage: npm run bench:latency [-- --rounds N] [-- --topology demo|worker|both]");
  process.exit(2);
}
const POLL_MS = 20;
const GOAL_ACTIVE_MS = 1_000;
const GOAL_ASSIGNED_MS = 500;

const ms = (value: number) => `${Math.round(value)} ms`;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const runDir = benchRunDir("latency");
mkdirSync(runDir, { recursive: true });
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
const n01 = tenant.user("n01@contoso.com")!;
const adminGroupId = tenant.groups.find((g) => g.displayName === "admin")!.id;
const tls = await ensureCertificates(CERT_DIR);
const database = await startBenchDatabase(runDir);
// Each round ends its access right after it began, which PIM refuses within 5 minutes of the start
// (the emulator's default, as Entra): off here, as in the test stacks.
const emulator = await startEmulator({ tenant, tls, port: 0, settings: { minimumActiveDurationSeconds: 0 } });
const children: ChildProcess[] = [];
const results: Array<{
  topology: string;
  active: number[];
  assigned: number[];
  approveCall: number[];
  stages: Stages[];
}> = [];

try {
  await migrate(database.url);
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const appEnv = {
    ...testAppEnv({ appUrl, emulatorUrl: emulator.url, databaseUrl: database.url, caPath: tls.caPath, tenant }),
    // The rate limits are raised (testAppEnv); duplicates are refused as in production, which is why
    // every round ends its access before the next.
    REFUSE_DUPLICATE_REQUESTS: "true",
  };
  await ensureBuild(appEnv);

  const apiToken = tokenGetter();
  for (const topology of TOPOLOGIES) {
    const processes = await startApp(topology as "demo" | "worker", appEnv, appPort);
    children.push(...processes);
    const requester = await apiToken("n01@contoso.com");
    const approver = await apiToken("p01@contoso.com");
    const api = apiClient(appUrl);
    const measured = {
      topology,
      active: [] as number[],
      assigned: [] as number[],
      approveCall: [] as number[],
      requestIds: [] as string[],
    };
    // One round first, not counted: the first request of each route compiles and caches its code.
    for (let round = 0; round <= ROUNDS; round += 1) {
      const figures = await oneRound(api, requester, approver);
      if (round === 0) continue;
      measured.active.push(figures.active);
      measured.assigned.push(figures.assigned);
      measured.approveCall.push(figures.approveCall);
      measured.requestIds.push(figures.requestId);
      process.stdout.write(
        `\r${topology}: round ${round}/${ROUNDS}: active after ${ms(figures.active)}, assigned after ${ms(figures.assigned)}   `,
      );
    }
    process.stdout.write("\n");
    results.push({ ...measured, stages: await stagesOf(database.url, measured.requestIds) });
    for (const child of processes) await stop(child);
  }

  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`\nApproval → access, ${ROUNDS} sequential rounds per topology through the API (load average ${load}):`);
  for (const { topology, active, assigned, approveCall, stages } of results) {
    const where = topology === "demo" ? "jobs in the web process (npm run demo)" : "jobs in a worker process";
    console.log(`  ${where}:`);
    console.log(`    ${line("request active", active, GOAL_ACTIVE_MS)}`);
    console.log(`    ${line("both assignments at the emulator", assigned, GOAL_ASSIGNED_MS)}`);
    console.log(
      `    approve call answered          p50 ${ms(percentile(approveCall, 50))}, p95 ${ms(percentile(approveCall, 95))}`,
    );
    const stage = (name: keyof Stages) =>
      `p50 ${ms(
        percentile(
          stages.map((s) => s[name]),
          50,
        ),
      )}, p95 ${ms(
        percentile(
          stages.map((s) => s[name]),
          95,
        ),
      )}`;
    console.log(`    where the time goes (database clock):`);
    console.log(`      approval's transaction began → job fetched  ${stage("pickUp")}`);
    console.log(`      job fetched → last provider call audited    ${stage("providers")}`);
    console.log(`      last provider call → request.activated      ${stage("finish")}`);
  }
} catch (error) {
  console.error(`\nbench:latency failed: ${error instanceof Error ? error.stack : String(error)}`);
  console.error(`logs: ${runDir}`);
  process.exitCode = 1;
} finally {
  for (const child of children) await stop(child);
  await emulator.close();
  await database.stop();
  if (process.exitCode !== 1) rmSync(runDir, { recursive: true, force: true });
}

interface Stages {
  pickUp: number;
  providers: number;
  finish: number;
}

/**
 * Each round's stages from what the database recorded: the activate job's creation (the approval's
 * transaction time) and fetch, the request's `activating` event, its provider calls and `activated`.
 */
async function stagesOf(databaseUrl: string, requestIds: string[]): Promise<Stages[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ created: Date; started: Date; calls_done: Date; activated: Date }>(
      `SELECT j.created_on AS created, j.started_on AS started,
              (SELECT max(occurred_at) FROM audit_events a WHERE a.request_id = r.id AND a.type = 'provider.call'
                AND a.data->>'operation' = 'apply') AS calls_done,
              (SELECT max(occurred_at) FROM audit_events a WHERE a.request_id = r.id AND a.type = 'request.activated') AS activated
       FROM access_requests r
       JOIN (SELECT id, created_on, started_on FROM pgboss.job WHERE name = 'activate'
             UNION ALL SELECT id, created_on, started_on FROM pgboss.archive WHERE name = 'activate') j ON j.id = r.id
       WHERE r.id = ANY($1::uuid[])`,
      [requestIds],
    );
    return rows.map((row) => ({
      pickUp: row.started.getTime() - row.created.getTime(),
      providers: row.calls_done.getTime() - row.started.getTime(),
      finish: row.activated.getTime() - row.calls_done.getTime(),
    }));
  } finally {
    await client.end();
  }
}

function line(what: string, values: number[], goal: number) {
  const p95 = percentile(values, 95);
  return `${what.padEnd(32)} p50 ${ms(percentile(values, 50))}, p95 ${ms(p95)} (goal < ${goal >= 1000 ? `${goal / 1000} s` : ms(goal)}) ${p95 < goal ? "✓" : "✗"}, max ${ms(Math.max(...values))}`;
}

/** The production build, made now unless .next/standalone is the build of this source (as the demo decides). */
async function ensureBuild(env: Record<string, string>) {
  const childEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" };
  const decision = decideBuild({
    stamp: readStamp(BUILD_STAMP),
    hasOutput: ["server.js", "worker.mjs"].every((file) => existsSync(path.join(STANDALONE, file))),
    current: fingerprintOf(ROOT, childEnv),
    isForced: process.argv.includes("--rebuild"),
  });
  if (!decision.isBuildNeeded) return;
  console.log(`Building the app (a few minutes): ${decision.reason}…`);
  await run(path.join(BIN, "tsx"), ["scripts/build.ts"], { cwd: ROOT, env: childEnv });
}

/** The web server with its jobs (demo), or the web server and a worker (worker), from the build. */
async function startApp(topology: "demo" | "worker", env: Record<string, string>, port: number) {
  const launch = (file: string, name: string, extra: Record<string, string>) => {
    const out = openSync(path.join(runDir, `${name}.log`), "a");
    const child = start(process.execPath, [file], {
      cwd: STANDALONE,
      env: { PATH: process.env.PATH ?? "", ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...extra },
      stdio: ["ignore", out, out],
    });
    closeSync(out);
    return child;
  };
  const isDemo = topology === "demo";
  const web = launch("server.js", `${topology}-web`, {
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    JOBS_IN_WEB: String(isDemo),
    OPS_PORT: String(await freePort()),
  });
  const processes = [web];
  if (!isDemo) processes.push(launch("worker.mjs", "worker", { JOBS_IN_WEB: "false", OPS_PORT: "0" }));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const gone = processes.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (gone) throw new Error(`the app exited while starting: see ${runDir}`);
    const ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the app was not ready within 120 s: see ${runDir}`);
    await sleep(250);
  }
  // The worker is ready once its job loops run; its own readiness port is not needed for that.
  if (!isDemo) await sleep(3_000);
  return processes;
}

/** Delegated access tokens for the API, from a real sign-in at the emulator, as a CLI would get them. */
function tokenGetter() {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: app.appId,
      clientSecret: app.clientSecret,
      authority: `${emulator.url}/${tenant.id}`,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
  return async (userPrincipalName: string) =>
    (
      await signInThroughPicker(cca, userPrincipalName, [`api://${app.appId}/access_as_user`], {
        redirectUri: "http://localhost:1234/auth/callback",
      })
    ).accessToken;
}

function apiClient(appUrl: string) {
  return async (token: string, method: "GET" | "POST", route: string, body?: unknown) => {
    const response = await fetch(`${appUrl}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await response.json()) as { id: string; status: string; error?: { message: string } };
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${json.error?.message ?? ""}`);
    return json;
  };
}

/**
 * Whether n01 holds the admin group's PIM membership and the role assignment on the cluster: what
 * GET /_emulator/state answers, read from the emulator's inspectors in this process, so that polling
 * every 20 ms does not serialize the whole state on the thread that also serves the app's calls.
 */
function assignmentsAtEmulator() {
  const state = Object.assign({}, ...emulator.context.inspectors.map((inspect) => inspect())) as EmulatorState;
  const pim = state.pimGroupAssignments.some((a) => a.groupId === adminGroupId && a.principalId === n01.id);
  const arm = state.roleAssignments.some(
    (a) => a.principalId === n01.id && /managedClusters\/aks-prod-weu$/i.test(a.scope),
  );
  return { pim, arm };
}

async function oneRound(api: ReturnType<typeof apiClient>, requester: string, approver: string) {
  const request = await api(requester, "POST", "/requests", {
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification: "Latency benchmark",
    ticket: "INC12345",
  });
  const sent = performance.now();
  let active: number | undefined;
  let assigned: number | undefined;
  let isOver = false;
  const approving = api(approver, "POST", `/requests/${request.id}/approve`, { comment: "bench" }).then(
    () => performance.now() - sent,
  );
  const watchRequest = async () => {
    while (active === undefined && !isOver) {
      const { status } = await api(requester, "GET", `/requests/${request.id}`);
      if (status === "active") active = performance.now() - sent;
      else if (status === "failed") throw new Error(`request ${request.id} failed`);
      else await sleep(POLL_MS);
    }
  };
  const watchEmulator = async () => {
    while (assigned === undefined && !isOver) {
      const { pim, arm } = assignmentsAtEmulator();
      if (pim && arm) assigned = performance.now() - sent;
      else await sleep(POLL_MS);
    }
  };
  const timer = setTimeout(() => (isOver = true), 30_000);
  const [approveCall] = await Promise.all([approving, watchRequest(), watchEmulator()]).finally(() => {
    isOver = true;
    clearTimeout(timer);
  });
  if (active === undefined || assigned === undefined)
    throw new Error(`request ${request.id} was not active within 30 s`);
  await api(requester, "POST", `/requests/${request.id}/deactivate`, { comment: "bench round done" });
  for (;;) {
    const { pim, arm } = assignmentsAtEmulator();
    if (!pim && !arm) break;
    await sleep(POLL_MS);
  }
  return { active, assigned, approveCall, requestId: request.id };
}
