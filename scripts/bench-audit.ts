/* `npm run bench:audit [-- --events N] [-- --runs N]`: seeds N audit events (default 1,000,000: sign-ins
 * and request lifecycles over 12 months, 2,000 users, 20 clusters) into a fresh embedded PostgreSQL,
 * then prints the latency of five typical searches (first page and 50th page, p50/p95; counts stop at
 * 10,000 as the page's do), the charts (the first view, which rolls up the closed days, then p50/p95),
 * each export's throughput and peak memory against the exact count, and the chain verification time;
 * each figure beside its goal (issue 17), ✓ or ✗. Figures, not assertions: compare runs. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import pg from "pg";
import { verifyAuditChain } from "../lib/audit/verify-chain";
import { seedAuditHistory } from "./bench/seed-audit";
import { benchViewer } from "./bench/viewer";
import { migrate } from "./lib/database";
import { ROOT } from "./lib/paths";
import { argument, benchRunDir, percentile, startBenchDatabase } from "./bench/common";

const EVENTS = Number(argument("events") ?? 1_000_000);
const RUNS = Number(argument("runs") ?? 20);

const ms = (value: number) => `${value.toFixed(1)} ms`;
/** A figure against its goal: `p95 41.2 ms (goal < 100 ms) ✓`. */
const goal = (isMet: boolean, text: string) => `(goal ${text}) ${isMet ? "✓" : "✗"}`;
const benchStarted = performance.now();

const runDir = benchRunDir("audit");
const database = await startBenchDatabase(runDir);
const client = new pg.Client({ connectionString: database.url });
try {
  await migrate(database.url);
  await client.connect();
  console.log(`Seeding ${EVENTS.toLocaleString("en-GB")} audit events into a fresh database…`);
  let started = performance.now();
  const seeded = await seedAuditHistory(client, { events: EVENTS, users: 2_000, clusters: 20, now: new Date() });
  console.log(
    `seeded ${seeded.events.toLocaleString("en-GB")} events, ${seeded.users} users, ${seeded.clusters} clusters in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // The app's modules read their configuration at import: point them at this database first.
  Object.assign(process.env, benchEnv(database.url));
  const { searchAuditEvents } = await import("../lib/audit/search");
  const viewer = benchViewer;
  const searches: Array<[string, Record<string, unknown>]> = [
    ["everything, newest first", {}],
    [`cluster ${seeded.sampleCluster}`, { cluster: seeded.sampleCluster }],
    [`requester ${seeded.sampleUser}`, { requester: seeded.sampleUser }],
    ["approvals in the last 30 days", { type: ["request.approved"], from: daysAgo(30).toISOString() }],
    ["free text 'certificate' on one cluster", { q: "certificate", cluster: seeded.sampleCluster }],
  ];
  console.log(
    `\nSearch latency over ${RUNS} runs each (limit 50; the goal keeps the figures before issue 17, 4–76 ms):`,
  );
  for (const [name, filters] of searches) {
    const first: number[] = [];
    let page = await searchAuditEvents(viewer, { ...filters, limit: 50 });
    for (let run = 0; run < RUNS; run += 1) {
      started = performance.now();
      page = await searchAuditEvents(viewer, { ...filters, limit: 50 });
      first.push(performance.now() - started);
    }
    const count = `${page.count}${page.isCountExact ? "" : "+"}`;
    let cursor = page.nextCursor;
    for (let n = 2; n < 50 && cursor; n += 1)
      cursor = (await searchAuditEvents(viewer, { ...filters, limit: 50, cursor })).nextCursor;
    const fiftieth: number[] = [];
    for (let run = 0; cursor && run < RUNS; run += 1) {
      started = performance.now();
      await searchAuditEvents(viewer, { ...filters, limit: 50, cursor });
      fiftieth.push(performance.now() - started);
    }
    console.log(
      `  ${name.padEnd(44)} ${count.padStart(9)} matches   page 1: p50 ${ms(percentile(first, 50))}, p95 ${ms(percentile(first, 95))} ${goal(percentile(first, 95) <= 76, "p95 ≤ 76 ms")}` +
        (fiftieth.length
          ? `   page 50: p50 ${ms(percentile(fiftieth, 50))}, p95 ${ms(percentile(fiftieth, 95))}`
          : "   (fewer than 50 pages)"),
    );
  }

  const { auditInsights } = await import("../lib/audit/insights");
  console.log(`\nCharts (auditInsights) over ${RUNS} runs each, from their rollups by day (today included):`);
  for (const days of [30, 365]) {
    const window = {
      from: daysAgo(days - 1)
        .toISOString()
        .slice(0, 10),
    };
    started = performance.now();
    await auditInsights(viewer, window);
    const firstView = performance.now() - started;
    const runs: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      started = performance.now();
      await auditInsights(viewer, window);
      runs.push(performance.now() - started);
    }
    const p95 = percentile(runs, 95);
    console.log(
      `  last ${String(days).padStart(3)} days: p50 ${ms(percentile(runs, 50))}, p95 ${ms(p95)} ${goal(p95 < 100, "p95 < 100 ms")}` +
        `   first view, rolling up the days not yet rolled up and packing the closed months: ${ms(firstView)}`,
    );
  }

  // Exact, as an export's consumer would ask for it; again before each export, which records an event.
  const exactCount = async () => (await searchAuditEvents(viewer, { limit: 1, count: "exact" })).count;
  started = performance.now();
  const total = await exactCount();
  console.log(`\nExact count of every event: ${ms(performance.now() - started)}`);
  console.log(
    `\nExport of every event (${total.toLocaleString("en-GB")} match the empty search), each format in its own process:`,
  );
  for (const format of ["csv", "jsonl"] as const) {
    const expected = await exactCount();
    const exported = await runExport(database.url, format);
    const rate = Math.round((exported.rows / exported.ms) * 1000);
    console.log(
      `  ${format.padEnd(5)} ${exported.rows.toLocaleString("en-GB")} rows${exported.rows === expected ? " (= the search's count)" : " (NOT the search's count)"} in ${(exported.ms / 1000).toFixed(1)} s, ${exported.megabytes} MB written, ${(exported.cpuMs / 1000).toFixed(1)} s of CPU\n` +
        `        ${rate.toLocaleString("en-GB")} rows/s ${goal(rate >= 50_000, "≥ 50,000 rows/s")}; ` +
        `RSS ${exported.firstBatchRssMb} MB after the first batch, peak ${exported.peakRssMb} MB ${goal(exported.peakRssMb < 300, "< 300 MB")}`,
    );
  }

  console.log("\nChain verification:");
  const report = await verifyAuditChain(async (text, values) => (await client.query(text, values)).rows);
  console.log(
    `  ${report.events.toLocaleString("en-GB")} events, ${report.isIntact ? "intact" : `BROKEN at ${report.broken?.seq}`}, in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const minutes = (performance.now() - benchStarted) / 60_000;
  console.log(`\nThe whole benchmark: ${minutes.toFixed(1)} min ${goal(minutes < 10, "< 10 min")}`);
  console.log(
    `Load average while it ran (1, 5, 15 min): ${loadavg()
      .map((n) => n.toFixed(2))
      .join(", ")}`,
  );
} finally {
  await client.end().catch(() => undefined);
  await database.stop();
  rmSync(runDir, { recursive: true, force: true });
}

function daysAgo(days: number) {
  return new Date(Date.now() - days * 24 * 3_600_000);
}

function benchEnv(databaseUrl: string): Record<string, string> {
  return {
    APP_URL: "http://localhost:3000",
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: randomBytes(48).toString("base64url"),
    ENTRA_TENANT_ID: "95edb77e-5eb1-4bd1-9425-ed3e1d470032",
    ENTRA_CLIENT_ID: "787dcaa2-0000-4000-8000-000000000000",
    ENTRA_CLIENT_SECRET: "bench",
    LOG_LEVEL: "warn",
  };
}

/** Runs scripts/bench/export-all.ts in its own process: rows, time, CPU, bytes and the process's peak RSS. */
function runExport(
  databaseUrl: string,
  format: "csv" | "jsonl",
): Promise<{ rows: number; ms: number; cpuMs: number; firstBatchRssMb: number; peakRssMb: number; megabytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/bench/export-all.ts", format],
      { cwd: ROOT, env: { ...process.env, ...benchEnv(databaseUrl) }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`export process exited with ${code}`));
      resolve(JSON.parse(output.trim().split("\n").at(-1)!));
    });
  });
}
