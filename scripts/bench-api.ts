/* `npm run bench:api [-- --seconds 10 --users 150 --clusters 20 --jobs-in-web --cpu-prof]`: filing
 * throughput against ONE production server. Starts a fresh embedded PostgreSQL, the emulator and the
 * production build (built only when the source changed since the last build), gets bearer tokens for
 * many requesters from the emulator's sign-in, then runs autocannon against `GET /api/health`,
 * `GET /api/v1/catalog` and `POST /api/v1/requests` (10 connections; filing at 1 connection too) and
 * prints req/s, p50/p95/p99, non-2xx answers and the ratio to health, next to the goals. Then one
 * filing at a time in this process, with every SQL round trip timed at the driver: what PostgreSQL
 * costs and what Prisma and the rest of the JavaScript cost. Figures, not assertions.
 *
 * Each filing is a new (person, cluster, role): the same person's second open request for a role
 * would be refused as a duplicate. The bench's catalog repeats the demo's production cluster under
 * --clusters names, and the rate limits are raised in the server's environment only. The server is
 * a web process as in production (JOBS_IN_WEB=false: workers send the notifications); --jobs-in-web
 * runs the jobs in it as `npm run demo` does. --cpu-prof writes the server's CPU profile and prints
 * where its time went. */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import YAML from "yaml";
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { ensureCertificates } from "../emulator/certs";
import { startEmulator } from "../emulator/server";
import { Tenant } from "../emulator/tenant";
import { freePort } from "../test/support/stack";
import { decideBuild, fingerprintOf, readStamp } from "./lib/build-fingerprint";
import { migrate } from "./lib/database";
import { DEMO_TENANT_FILE, demoAppEnv } from "./lib/demo-env";
import { BIN, BUILD_STAMP, CERT_DIR, DATA_DIR, ROOT, STANDALONE } from "./lib/paths";
import { run, start, stop, waitForUrl } from "./lib/processes";
import { argument, benchRunDir, percentile, startBenchDatabase } from "./bench/common";

const SECONDS = Number(argument("seconds") ?? 10);
const USERS = Number(argument("users") ?? 150);
const CLUSTERS = Number(argument("clusters") ?? 20);
const IN_PROCESS_FILINGS = Number(argument("in-process") ?? 200);
const isJobsInWeb = process.argv.includes("--jobs-in-web");
const isCpuProfiled = process.argv.includes("--cpu-prof");

const GOAL_FILINGS_PER_SECOND = 300;
const GOAL_P95_MS = 50;
const GOAL_RATIO = 0.5;

const step = (message: string) => console.log(`\u2022 ${message}`);
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const mark = (isMet: boolean) => (isMet ? "\u2713" : "\u2717");

const runDir = benchRunDir("api");
mkdirSync(runDir, { recursive: true });
const stoppers: Array<() => Promise<void>> = [];
async function stopAll() {
  for (const stopOne of stoppers.reverse()) await stopOne().catch((error) => console.error(error));
  stoppers.length = 0;
  rmSync(runDir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) process.off(signal, listener);
  process.on(signal, () => void stopAll().then(() => process.exit(130)));
}

/** The demo's production cluster under `count` names: (cluster, role) pairs enough for many filings. */
function benchCatalog(file: string) {
  const demo = YAML.parse(readFileSync(path.join(ROOT, "jit.catalog.yaml"), "utf8")) as {
    clusters: Array<Record<string, unknown> & { roles: Array<{ name: string; policy: Record<string, unknown> }> }>;
  };
  const prod = demo.clusters.find((c) => c.roles.every((r) => Number(r.policy.approvalsRequired) > 0))!;
  const clusters = Array.from({ length: CLUSTERS }, (_, n) => ({
    ...prod,
    name: `aks-bench-${String(n + 1).padStart(2, "0")}`,
    displayName: `Bench ${n + 1}`,
    resourceId: String(prod.resourceId).replace(/managedClusters\/.*/, `managedClusters/aks-bench-${n + 1}`),
    nodeResourceGroup: `MC_rg-bench_aks-bench-${n + 1}_westeurope`,
  }));
  writeFileSync(file, YAML.stringify({ ...demo, clusters }));
  return clusters.flatMap((c) => c.roles.map((r) => ({ cluster: c.name, role: r.name })));
}

/** A delegated token for the API, through the emulator's account picker (auth code + PKCE), as a CLI gets one. */
async function tokenFor(cca: ConfidentialClientApplication, userId: string, scope: string) {
  const redirectUri = "http://localhost:1234/auth/callback";
  const pkce = await new CryptoProvider().generatePkceCodes();
  const authorize = new URL(
    await cca.getAuthCodeUrl({
      scopes: [scope],
      redirectUri,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
    }),
  );
  const form = new URLSearchParams(authorize.searchParams);
  form.set("user_id", userId);
  const picked = await fetch(`${authorize.origin}${authorize.pathname}`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  const code = new URL(picked.headers.get("location") ?? "http://x/").searchParams.get("code");
  if (!code) throw new Error(`the emulator's account picker answered ${picked.status}`);
  const result = await cca.acquireTokenByCode({ code, scopes: [scope], redirectUri, codeVerifier: pkce.verifier });
  return result.accessToken;
}

interface Load {
  name: string;
  connections: number;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(
  name: string,
  options: { url: string; connections: number; seconds: number; method?: "GET" | "POST" },
  next: () => { headers: Record<string, string>; body?: string },
): Promise<Load> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [{ method: options.method ?? "GET", setupRequest: (request) => ({ ...request, ...next() }) }],
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
    latencies.push(responseTime),
  );
  const result = await instance;
  const requests = result.requests.total;
  return {
    name,
    connections: options.connections,
    requests,
    perSecond: requests / options.seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const tls = await ensureCertificates(CERT_DIR);
try {
  const database = await startBenchDatabase(runDir);
  stoppers.push(database.stop);
  await migrate(database.url);
  step("fresh embedded PostgreSQL, migrated");

  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  const emulator = await startEmulator({ tenant, tls, port: 0 });
  stoppers.push(emulator.close);
  const catalogPath = path.join(runDir, "catalog.yaml");
  const pairs = benchCatalog(catalogPath);
  const appPort = await freePort();
  const appUrl = `http://localhost:${appPort}`;
  const limit = "1000000/1m";
  const appEnv: Record<string, string> = {
    ...demoAppEnv({
      appUrl,
      emulatorUrl: emulator.url,
      databaseUrl: database.url,
      sessionSecret: randomBytes(48).toString("base64url"),
      caPath: tls.caPath,
      tenant,
    }),
    CATALOG_PATH: catalogPath,
    LOG_LEVEL: "warn",
    OPS_PORT: String(await freePort()),
    JOBS_IN_WEB: String(isJobsInWeb),
    // The bench files far faster than people do: the limits are raised here, for this server only.
    RATE_LIMIT_REQUESTS: limit,
    RATE_LIMIT_DECISIONS: limit,
    RATE_LIMIT_EXPORTS: limit,
    RATE_LIMIT_STEP_UP: limit,
    RATE_LIMIT_SIGN_IN: limit,
  };
  step(`emulator on ${emulator.url}; catalog of ${CLUSTERS} clusters (${pairs.length} roles needing approval)`);

  const buildEnv = { ...process.env, ...appEnv, NEXT_TELEMETRY_DISABLED: "1" };
  const decision = decideBuild({
    stamp: readStamp(BUILD_STAMP),
    hasOutput: ["server.js", "worker.mjs"].every((file) => existsSync(path.join(STANDALONE, file))),
    current: fingerprintOf(ROOT, buildEnv),
    isForced: false,
  });
  if (decision.isBuildNeeded) {
    step(`building the app (${decision.reason}), several minutes...`);
    await run(path.join(BIN, "tsx"), ["scripts/build.ts"], { cwd: ROOT, env: buildEnv });
  } else step(`using the production build from ${decision.builtAt.toISOString()}`);
  const profileDir = path.join(DATA_DIR, "bench", "api-cpu-profile");
  if (isCpuProfiled) rmSync(profileDir, { recursive: true, force: true });
  const app = start(
    process.execPath,
    [...(isCpuProfiled ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), path.join(STANDALONE, "server.js")],
    {
      cwd: ROOT,
      env: { ...buildEnv, NODE_ENV: "production", PORT: String(appPort), HOSTNAME: "localhost" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  stoppers.push(() => stop(app));
  await waitForUrl(`${appUrl}/api/health`, 120_000, () => app.exitCode === null);
  step(`one production server on ${appUrl} (JOBS_IN_WEB=${isJobsInWeb})`);

  // Requesters: members of the `default` group, which every bench role's policy makes eligible.
  const defaultGroup = tenant.groups.find((g) => g.displayName === "default")!.id;
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: appEnv.ENTRA_CLIENT_ID!,
      clientSecret: appEnv.ENTRA_CLIENT_SECRET,
      authority: `${emulator.url}/${tenant.id}`,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
  const scope = `api://${appEnv.ENTRA_CLIENT_ID}/access_as_user`;
  const tokens: string[] = [];
  for (let n = 0; n < USERS; n += 1) {
    const userPrincipalName = `bench${String(n + 1).padStart(4, "0")}@contoso.com`;
    const created = await fetch(`${emulator.url}/_emulator/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userPrincipalName, displayName: `Bench ${n + 1}`, groupIds: [defaultGroup] }),
    });
    const { id } = (await created.json()) as { id: string };
    tokens.push(await tokenFor(cca, id, scope));
  }
  step(`${USERS} requesters with bearer tokens`);

  // Filing i: person i mod USERS, (cluster, role) i div USERS: consecutive filings are different people.
  let filed = 0;
  const filing = () => {
    const n = filed++;
    const pair = pairs[Math.floor(n / USERS) % pairs.length]!;
    return {
      headers: { authorization: `Bearer ${tokens[n % USERS]}`, "content-type": "application/json" },
      body: JSON.stringify({
        cluster: pair.cluster,
        role: pair.role,
        duration: "PT1H",
        justification: "bench: throughput of filing",
        ticket: `INC${String(10_000 + n)}`,
      }),
    };
  };
  let reader = 0;
  const catalogRead = () => ({ headers: { authorization: `Bearer ${tokens[reader++ % USERS]}` } });
  const capacity = USERS * pairs.length;

  // Warm-up: each person's first call (their row, their groups read from Graph) and the JIT.
  const warm = await load(
    "warm-up filing",
    { url: `${appUrl}/api/v1/requests`, connections: 10, seconds: 1, method: "POST" },
    filing,
  );
  for (let n = filed; n < USERS; n += 1) {
    const { headers, body } = filing();
    await fetch(`${appUrl}/api/v1/requests`, { method: "POST", headers, body });
  }
  await load("warm-up", { url: `${appUrl}/api/health`, connections: 10, seconds: 2 }, () => ({ headers: {} }));
  await load("warm-up", { url: `${appUrl}/api/v1/catalog`, connections: 10, seconds: 2 }, catalogRead);
  step(`warmed up (${warm.requests} filings at 10 connections, then one per person)`);

  const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const before = loadAverage();
  const runs: Load[] = [];
  runs.push(
    await load("GET /api/health", { url: `${appUrl}/api/health`, connections: 10, seconds: SECONDS }, () => ({
      headers: {},
    })),
  );
  runs.push(
    await load(
      "GET /api/v1/catalog",
      { url: `${appUrl}/api/v1/catalog`, connections: 10, seconds: SECONDS },
      catalogRead,
    ),
  );
  const tx = { url: `${appUrl}/api/v1/requests`, seconds: SECONDS, method: "POST" as const };
  runs.push(await load("POST /api/v1/requests", { ...tx, connections: 10 }, filing));
  runs.push(await load("POST /api/v1/requests", { ...tx, connections: 1 }, filing));
  const after = loadAverage();
  if (filed > capacity)
    console.log(`! ${filed} filings for ${capacity} distinct (person, cluster, role): raise --users`);

  const health = runs[0]!.perSecond;
  console.log(`\nOne production server, ${SECONDS} s per run (load average ${before} before, ${after} after):`);
  console.log("  route                    conns    req/s     p50 ms   p95 ms   p99 ms   non-2xx  errors  × health");
  for (const r of runs) {
    console.log(
      `  ${r.name.padEnd(24)} ${String(r.connections).padStart(5)} ${fixed(r.perSecond).padStart(8)} ${fixed(r.p50).padStart(10)} ${fixed(r.p95).padStart(8)} ${fixed(r.p99).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(7)} ${fixed(r.perSecond / health, 2).padStart(9)}`,
    );
  }
  const tenConnections = runs[2]!;
  console.log(`\nGoals (filing at 10 connections):`);
  console.log(
    `  ${fixed(tenConnections.perSecond)} filings/s (goal >= ${GOAL_FILINGS_PER_SECOND}) ${mark(tenConnections.perSecond >= GOAL_FILINGS_PER_SECOND)}`,
  );
  console.log(
    `  p95 ${fixed(tenConnections.p95)} ms (goal < ${GOAL_P95_MS} ms) ${mark(tenConnections.p95 < GOAL_P95_MS)}`,
  );
  console.log(
    `  ${fixed(tenConnections.perSecond / health, 2)}× health (goal >= ${GOAL_RATIO}×) ${mark(tenConnections.perSecond / health >= GOAL_RATIO)}`,
  );
  console.log(
    `  non-2xx ${tenConnections.non2xx + runs[3]!.non2xx} (goal 0) ${mark(tenConnections.non2xx + runs[3]!.non2xx === 0)}`,
  );

  await stop(app);
  if (isCpuProfiled) summariseProfile(profileDir);

  await inProcessFilings(database.url, appEnv, pairs);
} finally {
  await stopAll();
}
process.exit(0);

/**
 * One filing at a time, in this process, through the use case the route calls, with every SQL
 * round trip timed where the driver sends it: the wall time splits into PostgreSQL (and the socket)
 * and everything else (Prisma's client, zod, hashing, the view).
 */
async function inProcessFilings(
  databaseUrl: string,
  appEnv: Record<string, string>,
  pairs: Array<{ cluster: string; role: string }>,
) {
  if (IN_PROCESS_FILINGS <= 0) return;
  Object.assign(process.env, appEnv, { NODE_ENV: "production" });
  let sqlMs = 0;
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function timed(this: pg.Client, ...args: unknown[]) {
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads, passed through
    const result = (query as any).apply(this, args);
    if (result && typeof result.then === "function") {
      statements += 1;
      return result.finally(() => (sqlMs += performance.now() - started));
    }
    return result;
  } as typeof query;
  const { requestAccess } = await import("../lib/access/request-access");
  const { db } = await import("../lib/db/client");
  const { stopBoss } = await import("../lib/jobs/boss");
  const defaultGroup = Tenant.fromFile(DEMO_TENANT_FILE).groups.find((g) => g.displayName === "default")!.id;
  // As many people as it takes for every filing to be a new (person, cluster, role).
  const rounds = IN_PROCESS_FILINGS + 20;
  const viewers = [];
  for (let n = 0; n * pairs.length < rounds; n += 1) {
    const person = await db.user.create({
      data: {
        entraObjectId: randomUUID(),
        tenantId: appEnv.ENTRA_TENANT_ID!,
        userPrincipalName: `bench-in-process-${n}@contoso.com`,
        displayName: `Bench in process ${n}`,
      },
    });
    viewers.push({
      id: person.id,
      entraObjectId: person.entraObjectId,
      displayName: person.displayName,
      userPrincipalName: person.userPrincipalName,
      groupIds: [defaultGroup],
      roles: ["requester" as const],
      roleCheck: "current" as const,
      sessionExpiresAt: new Date(Date.now() + 3_600_000),
      authentication: { via: "bearer" as const, authTime: null, methods: [] },
    });
  }
  const walls: number[] = [];
  const sqls: number[] = [];
  const counts: number[] = [];
  for (let n = 0; n < rounds; n += 1) {
    const pair = pairs[n % pairs.length]!;
    const viewer = viewers[Math.floor(n / pairs.length)]!;
    sqlMs = 0;
    statements = 0;
    const started = performance.now();
    await requestAccess(
      {
        cluster: pair.cluster,
        role: pair.role,
        duration: "PT1H",
        justification: "bench: one filing at a time",
        ticket: `CHG${String(10_000 + n)}`,
      },
      {
        viewer,
        origin: { correlationId: randomUUID(), channel: "api", ip: "127.0.0.1", userAgent: "bench" },
        now: new Date(),
      },
    );
    if (n < 20) continue; // warm-up
    walls.push(performance.now() - started);
    sqls.push(sqlMs);
    counts.push(statements);
  }
  pg.Client.prototype.query = query;
  await stopBoss(1);
  await db.$disconnect();
  const p50 = (values: number[]) => percentile(values, 50);
  console.log(`\nOne filing at a time in this process (${walls.length} filings, use case only, no HTTP):`);
  console.log(`  wall p50 ${fixed(p50(walls), 2)} ms, p95 ${fixed(percentile(walls, 95), 2)} ms`);
  console.log(
    `  SQL round trips ${p50(counts)} per filing (BEGIN and COMMIT included), p50 ${fixed(p50(sqls), 2)} ms in them`,
  );
  console.log(
    `  outside SQL (Prisma's client, zod, hashing, the view) p50 ${fixed(p50(walls.map((w, i) => w - sqls[i]!)), 2)} ms`,
  );
}

/** The server's CPU profile: self time by function and by package, the top entries. */
function summariseProfile(dir: string) {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".cpuprofile")) : undefined;
  if (!file) {
    console.log("\n(no CPU profile was written)");
    return;
  }
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }
  const profile = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as {
    nodes: Node[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const packageOf = (url: string) => {
    if (!url) return "(native / V8)";
    const modules = url.lastIndexOf("node_modules/");
    if (modules >= 0) {
      const rest = url.slice(modules + "node_modules/".length).split("/");
      return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    }
    if (url.startsWith("node:")) return "node (built-in)";
    if (url.includes("/.next/")) return "app (.next chunks)";
    return path.relative(ROOT, url.replace(/^file:\/\//, ""));
  };
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = packageOf(url);
    const key = `${functionName || "(anonymous)"}  ${where}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${fixed((100 * us) / total).padStart(5)}%  ${k}`);
  console.log(`\nServer CPU profile (${fixed(total / 1e6)} s of samples over the whole run), self time by package:`);
  console.log(top(byPackage, 12).join("\n"));
  console.log("Top functions by self time:");
  console.log(top(byFunction, 20).join("\n"));
}
