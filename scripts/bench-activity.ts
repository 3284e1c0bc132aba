/* `npm run bench:activity [-- --grants N --rows R --at-once C]`: the activity summary (issue 19) of N
 * ended grants (default 1,000), each with R audit rows in its window (default 10,000: 10M rows in all),
 * through the real code: the workspace found as the job finds it (lib/activity/find-workspace.ts), the
 * holder's rows read with the app's LogsQueryClient (lib/activity/query-activity.ts: the app's KQL,
 * statistics on) and summarised (lib/activity/summarise.ts), C grants at a time as the app's job runs
 * them. The emulator runs in its own process with Azure's throttling budgets on, so Log Analytics'
 * limit of 200 queries per 30 s per principal (https://learn.microsoft.com/azure/azure-monitor/service-limits#log-analytics-workspaces,
 * "Query API": 200 requests per 30 seconds per Microsoft Entra user or client IP) sets the pace.
 *
 * Prints the queries sent, the rows scanned (the query statistics) and returned, the time per grant
 * (p50/p95), the total against the budget's floor ((queries − burst) ÷ 200 per 30 s), the 429s, and the
 * peak RSS of this process (the app's part) and of the emulator, each with its goal. Figures, not
 * assertions: compare runs. No database: summaries are computed, not stored (storing one is a single
 * transaction per grant, measured by the integration tests). */
import { readFileSync } from "node:fs";
import { ensureCertificates } from "../emulator/certs";
import { AZURE_BUDGETS } from "../emulator/throttling";
import { Tenant } from "../emulator/tenant";
import { freePort, testAppEnv } from "../test/support/stack";
import { argument, mark, percentile, phaseLogger, seconds, startScaleEmulator } from "./bench/common";
import { DEMO_TENANT_FILE } from "./lib/demo-env";
import { CERT_DIR } from "./lib/paths";
import { stop } from "./lib/processes";

const GRANTS = Number(argument("grants") ?? 1000);
const ROWS = Number(argument("rows") ?? 10_000);
const AT_ONCE = Number(argument("at-once") ?? 4);
const CLUSTER = "aks-prod-weu";
/** The demo catalog's default table (auditLogs.table). */
const TABLE = "AKSAuditAdmin";
/** A grant: one hour of access; its window runs on for the tokens' lifetime (75 minutes). */
const ACCESS_MS = 60 * 60_000;
const TOKEN_LIFETIME_MS = 75 * 60_000;
/** Goals: within 20 % of the floor, nothing failed, the app's memory bounded whatever the rows. */
const APP_RSS_GOAL_MB = 300;

/** Log Analytics' query budget as the emulator models it (emulator/throttling.ts): 200 at once, then 200 per 30 s. */
const LOGS_BUDGET = AZURE_BUDGETS.logAnalyticsQueries;
const floorSeconds = (queries: number) => Math.max(0, queries - LOGS_BUDGET.capacity) / LOGS_BUDGET.refillPerSecond;

const phase = phaseLogger();
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Peak resident memory of a process of ours (Linux: VmHWM), in bytes. */
function peakRss(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Runs `work` on each item, `atOnce` at a time. */
async function pool<T>(items: readonly T[], atOnce: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
}

const tls = await ensureCertificates(CERT_DIR);
const { emulator, url: emulatorUrl, ready: emulatorReady } = startScaleEmulator(await freePort(), 0);
try {
  await emulatorReady();
  const throttling = (await (await fetch(`${emulatorUrl}/_emulator/throttling`)).json()) as { enabled?: boolean };
  phase(`emulator ready (throttling ${throttling.enabled ? "on" : "OFF: the run may beat the floor"})`);
  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  Object.assign(
    process.env,
    testAppEnv({
      appUrl: `http://localhost:${await freePort()}`,
      emulatorUrl,
      // Nothing here reaches the database: the summaries are computed, not stored.
      databaseUrl: "postgresql://bench@localhost:1/unused",
      caPath: tls.caPath,
      tenant,
    }),
  );
  // The app's modules read their configuration at import: after the environment is set.
  const { getCatalog } = await import("../lib/config/catalog");
  const { appCredential } = await import("../lib/cloud/credentials");
  const { env } = await import("../lib/config/env");
  const { LogsQueryClient } = await import("@azure/monitor-query-logs");
  const { findAuditWorkspace } = await import("../lib/activity/find-workspace");
  const { queryActivity } = await import("../lib/activity/query-activity");
  const { summariseActivity } = await import("../lib/activity/summarise");

  // The grants: the demo's people in turn, each person's grants one after another (no overlap), ending
  // before now so that every window is complete.
  const people = tenant.users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName }));
  const slot = ACCESS_MS + TOKEN_LIFETIME_MS + 15 * 60_000;
  const perPerson = Math.ceil(GRANTS / people.length);
  const start = Date.now() - (perPerson + 1) * slot;
  const grants = Array.from({ length: GRANTS }, (_, i) => {
    const from = new Date(start + Math.floor(i / people.length) * slot);
    const accessEnd = new Date(from.getTime() + ACCESS_MS);
    return {
      holder: people[i % people.length]!,
      from,
      accessEnd,
      to: new Date(accessEnd.getTime() + TOKEN_LIFETIME_MS),
    };
  });

  // Their audit rows, in the emulator (POST /_emulator/activity/generate): R calls in each access period.
  await fetch(`${emulatorUrl}/_emulator/activity`, { method: "DELETE" });
  let generated = 0;
  /** rows of the table the app reads, in the holders' windows: what its queries must sift */
  let inTable = 0;
  await pool(grants, 4, async (grant, i) => {
    const response = await fetch(`${emulatorUrl}/_emulator/activity/generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        cluster: CLUSTER,
        user: grant.holder.userPrincipalName,
        // Within the access period: a holder rarely goes on after the end (those calls would all be listed).
        from: grant.from.toISOString(),
        to: grant.accessEnd.toISOString(),
        count: ROWS,
        seed: i + 1,
      }),
    });
    if (!response.ok) throw new Error(`generate answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { rows: number; tables?: Record<string, number> };
    generated += answer.rows;
    // Keyed "<workspace>/<table>".
    for (const [key, rows] of Object.entries(answer.tables ?? {})) if (key.endsWith(`/${TABLE}`)) inTable += rows;
  });
  phase(`${generated.toLocaleString("en")} audit rows generated for ${GRANTS} grants`);

  // As in a running app: the catalog loaded, the workspace found, the Log Analytics token in hand.
  const cluster = getCatalog().clusters.find((c) => c.name === CLUSTER)!;
  const workspace = await findAuditWorkspace(cluster, { correlationId: "bench-activity", onCalls: () => {} });
  if (!workspace.isFound) throw new Error(`no workspace: ${workspace.problem.message}`);
  await appCredential().getToken(env.LOG_ANALYTICS_APP_SCOPE);
  // The app's client, with a policy that counts what reached Log Analytics and what it throttled.
  const client = new LogsQueryClient(appCredential(), {
    endpoint: `${env.LOG_ANALYTICS_BASE_URL}/v1`,
    credentials: { scopes: [env.LOG_ANALYTICS_APP_SCOPE] },
  });
  const sent = { requests: 0, throttled: 0 };
  // After the retry policy: every attempt is counted, a 429 the SDK then retried included.
  client.pipeline.addPolicy(
    {
      name: "bench-activity-counter",
      sendRequest: async (request, next) => {
        const response = await next(request);
        sent.requests += 1;
        if (response.status === 429) sent.throttled += 1;
        return response;
      },
    },
    { afterPhase: "Retry" },
  );
  phase(`workspace ${workspace.workspaceResourceId.split("/").pop()} found, token acquired`);
  // What the process holds before the first summary: the app's modules, the SDKs, the loader.
  const baselineRss = process.memoryUsage().rss;

  console.log(
    `Activity summaries of ${GRANTS} grants × ${ROWS.toLocaleString("en")} rows (${workspace.table}), ${AT_ONCE} at a time`,
  );
  const perGrantMs: number[] = [];
  const totals = { queries: 0, scanned: 0, returned: 0, failed: 0, calls: 0, listed: 0 };
  const failures = new Map<string, number>();
  const started = performance.now();
  await pool(grants, AT_ONCE, async (grant, i) => {
    const grantStarted = performance.now();
    try {
      const rows = await queryActivity(
        {
          clusterId: cluster.resourceId,
          workspaceResourceId: workspace.workspaceResourceId,
          customerId: workspace.customerId,
          table: workspace.table,
          userPrincipalName: grant.holder.userPrincipalName,
          objectId: grant.holder.id,
          window: { from: grant.from, to: grant.to, accessEnd: grant.accessEnd },
        },
        client,
      );
      totals.queries += rows.stats.queries;
      totals.scanned += rows.stats.rowsScanned;
      totals.returned += rows.stats.rowsReturned;
      if (rows.failure) throw new Error(rows.failure.message);
      const summary = summariseActivity({
        requestId: `bench-${i}`,
        clusterName: CLUSTER,
        holder: grant.holder,
        window: { ...grant, isComplete: true },
        queriedAt: new Date(),
        kubernetes: {
          table: workspace.table,
          workspaceResourceId: workspace.workspaceResourceId,
          workspaceId: workspace.customerId,
          queries: rows.queries,
          portalLink: "",
          counts: rows.counts,
          listed: rows.listed,
          isListTruncated: rows.isListTruncated,
        },
        nodeSignIns: null,
        problems: rows.problems,
      });
      totals.calls += summary.kubernetes?.totalCalls ?? 0;
      totals.listed += summary.kubernetes?.listed.length ?? 0;
    } catch (error) {
      totals.failed += 1;
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 160);
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
    perGrantMs.push(performance.now() - grantStarted);
    if ((i + 1) % 100 === 0) phase(`${i + 1} of ${GRANTS} summarised`);
  });
  const durationMs = performance.now() - started;

  const floorMs = floorSeconds(totals.queries) * 1000;
  const goalMs = floorMs * 1.2;
  const appRss = process.resourceUsage().maxRSS * 1024;
  const emulatorRss = peakRss(emulator.pid);
  const goal =
    floorMs > 0
      ? `goal ≤ floor + 20 % = ${seconds(goalMs)}) ${mark(durationMs <= goalMs)}`
      : "no floor: within the burst)";
  console.log(`\n  total time         ${seconds(durationMs)} (${goal}`);
  console.log(
    `  floor              ${seconds(floorMs)}: ${totals.queries} queries − ${LOGS_BUDGET.capacity} burst at ` +
      `${(LOGS_BUDGET.refillPerSecond * 30).toFixed(0)} per 30 s (Log Analytics query API, per principal)`,
  );
  console.log(
    `  queries            ${totals.queries} (${(totals.queries / GRANTS).toFixed(1)} per grant: counts + listed per ${24} h slice); ` +
      `${sent.requests} HTTP requests, ${sent.throttled} answered 429 and retried after Retry-After`,
  );
  console.log(
    `  rows               ${inTable.toLocaleString("en")} in ${TABLE} within the windows (what the queries sift); ` +
      `${totals.scanned.toLocaleString("en")} in the statistics (tableRowCount), ${totals.returned.toLocaleString("en")} returned; ` +
      `${totals.calls.toLocaleString("en")} calls counted, ${totals.listed.toLocaleString("en")} listed`,
  );
  console.log(
    `  per grant          p50 ${seconds(percentile(perGrantMs, 50))}, p95 ${seconds(percentile(perGrantMs, 95))}, ` +
      `max ${seconds(Math.max(...perGrantMs))}`,
  );
  console.log(`  failed             ${totals.failed} of ${GRANTS} (goal 0) ${mark(totals.failed === 0)}`);
  for (const [reason, count] of failures) console.log(`    ${count} × ${reason}`);
  console.log(
    `  peak RSS           app ${megabytes(appRss)} (goal < ${APP_RSS_GOAL_MB} MB) ${mark(appRss < APP_RSS_GOAL_MB * 1024 * 1024)}: ` +
      `${megabytes(baselineRss)} loaded before the first summary, ${megabytes(appRss - baselineRss)} more at the peak; ` +
      `emulator ${megabytes(emulatorRss)} (holds the ${generated.toLocaleString("en")} rows)`,
  );
  console.log(
    `  load average       ${(await import("node:os"))
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await stop(emulator);
  phase("everything stopped");
}
