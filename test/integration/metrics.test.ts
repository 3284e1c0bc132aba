import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { endAccessNow } from "@/lib/access/end-access-now";
import { requestAccess } from "@/lib/access/request-access";
import { liveGroupIds } from "@/lib/cloud/directory";
import { env } from "@/lib/config/env";
import { QUEUES, type ActivateJob, type DeactivateJob } from "@/lib/jobs/queues";
import { collectMetrics } from "@/lib/metrics/registry";
import { demoUser } from "../support/emulator-browser";
import { injectFault } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * What /metrics shows as a request goes through its life (filed, approved, active, ended) with the
 * real SDKs against the emulator and PostgreSQL: the worker's scrape, database gauges included.
 */

type Labels = Record<string, string>;
type Scrape = Map<string, number>;

const seriesKey = (name: string, labels: Labels = {}) =>
  `${name}{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => `${label}="${value}"`)
    .join(",")}}`;

/** The Prometheus text format, as `name{label="value",…}` (labels sorted) → value. */
function parse(text: string): Scrape {
  const scrape: Scrape = new Map();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    scrape.set(seriesKey(match[1]!, labels as Labels), Number(match[3]));
  }
  return scrape;
}

async function scrape(databaseGauges = true) {
  const { contentType, body } = await collectMetrics({ databaseGauges });
  expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parse(body);
}

const valueIn = (from: Scrape, name: string, labels?: Labels) => from.get(seriesKey(name, labels)) ?? 0;
/** How much one series moved between two scrapes. */
const moved = (before: Scrape, after: Scrape, name: string, labels?: Labels) =>
  valueIn(after, name, labels) - valueIn(before, name, labels);
const openMoves = (before: Scrape, after: Scrape) =>
  Object.fromEntries(
    ["pending", "approved", "active"].map((state) => [state, moved(before, after, "aks_jit_requests_open", { state })]),
  );

// The prod node-access role: approved by p01, and no other test covers it through the grant ledger.
const nodeAccess = {
  cluster: "aks-prod-weu",
  role: "node-access",
  justification: "Inspect a node",
  ticket: "INC42424",
};
const asRequest = (outcome: string) => ({ cluster: "aks-prod-weu", role: "node-access", outcome });

afterAll(async () => {
  await injectFault();
});

describe("metrics", () => {
  it("follow a request from filed to approved, active and ended", async () => {
    const start = await scrape();
    const request = await requestAccess({ ...nodeAccess, duration: "PT1H" }, await contextFor("n02@contoso.com"));
    const filed = await scrape();
    expect(moved(start, filed, "aks_jit_requests_total", asRequest("filed"))).toBe(1);
    expect(openMoves(start, filed)).toEqual({ pending: 1, approved: 0, active: 0 });

    await approveRequest(request.id, { comment: "ok" }, await contextFor("p01@contoso.com"));
    const approved = await scrape();
    expect(moved(filed, approved, "aks_jit_requests_total", asRequest("approved"))).toBe(1);
    expect(moved(filed, approved, "aks_jit_approval_latency_seconds_count", { outcome: "approved" })).toBe(1);
    expect(openMoves(filed, approved)).toEqual({ pending: -1, approved: 1, active: 0 });
    // The approver's groups are read live from Graph, outside any audited scope: counted all the same.
    expect(
      moved(filed, approved, "aks_jit_provider_calls_total", {
        service: "graph",
        operation: "transitiveMemberOf.list",
        status: "200",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved(filed, approved, "aks_jit_jobs", { queue: QUEUES.activate, state: "created" })).toBe(1);
    for (const queue of Object.values(QUEUES)) {
      for (const state of ["created", "retry", "active"])
        expect(approved.has(seriesKey("aks_jit_jobs", { queue, state }))).toBe(true);
      expect(approved.has(seriesKey("aks_jit_jobs_oldest_age_seconds", { queue }))).toBe(true);
      expect(approved.has(seriesKey("aks_jit_jobs_failed", { queue }))).toBe(true);
    }

    // Run the activation here rather than in a worker; Graph throttles its first PIM request once.
    expect(await takeQueuedJobs<ActivateJob>(QUEUES.activate, request.id)).toEqual([{ requestId: request.id }]);
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 1, status: 429, retryAfter: 1 });
    expect(await activateRequest(request.id, new Date())).toBe("active");
    const active = await scrape();
    const calls = (service: string, operation: string, status: string) =>
      moved(approved, active, "aks_jit_provider_calls_total", { service, operation, status });
    expect(calls("graph", "assignmentScheduleRequests.create", "429")).toBe(1);
    expect(calls("graph", "assignmentScheduleRequests.create", "201")).toBe(1);
    expect(calls("arm", "roleAssignments.create", "201")).toBe(1);
    expect(moved(approved, active, "aks_jit_provider_throttled_total", { service: "graph" })).toBe(1);
    expect(moved(approved, active, "aks_jit_provider_retry_after_seconds_total", { service: "graph" })).toBe(1);
    expect(
      moved(approved, active, "aks_jit_provider_call_duration_seconds_count", {
        service: "graph",
        operation: "assignmentScheduleRequests.create",
      }),
    ).toBe(2);
    expect(
      moved(approved, active, "aks_jit_provider_operations_total", {
        grant_kind: "armRoleAssignment",
        operation: "apply",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(moved(approved, active, "aks_jit_requests_total", asRequest("activated"))).toBe(1);
    expect(moved(approved, active, "aks_jit_activation_latency_seconds_count")).toBe(1);
    expect(openMoves(approved, active)).toEqual({ pending: 0, approved: -1, active: 1 });
    expect(moved(approved, active, "aks_jit_audit_append_wait_seconds_count")).toBeGreaterThanOrEqual(3);

    await deactivateRequest(request.id, await contextFor("n02@contoso.com"), { comment: "Done" });
    const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
    expect(job!.grantIds).toHaveLength(2);
    await endAccessNow(job!, new Date());
    const ended = await scrape();
    expect(moved(active, ended, "aks_jit_requests_total", asRequest("deactivated"))).toBe(1);
    expect(moved(active, ended, "aks_jit_expiry_lag_seconds_count")).toBe(2);
    expect(openMoves(active, ended)).toEqual({ pending: 0, approved: 0, active: -1 });
    expect(
      moved(active, ended, "aks_jit_provider_calls_total", {
        service: "arm",
        operation: "roleAssignments.delete",
        status: "200",
      }),
    ).toBe(1);
    expect(valueIn(ended, "aks_jit_grants_overdue")).toBe(0);
    expect(valueIn(ended, "aks_jit_scrape_database_up")).toBe(1);
  }, 60_000);

  it("counts a throttled Graph call made outside any audited scope, and the Retry-After it asked for", async () => {
    const before = await scrape(false);
    await injectFault({ path: "transitiveMemberOf", method: "GET", count: 1, status: 429, retryAfter: 2 });
    expect(await liveGroupIds(demoUser("n01@contoso.com").id)).not.toHaveLength(0);
    const after = await scrape(false);
    expect(moved(before, after, "aks_jit_provider_throttled_total", { service: "graph" })).toBe(1);
    expect(moved(before, after, "aks_jit_provider_retry_after_seconds_total", { service: "graph" })).toBe(2);
  }, 30_000);

  it("serves the web process's own series only, without reading the database", async () => {
    const web = await scrape(false);
    expect(web.has(seriesKey("process_cpu_user_seconds_total"))).toBe(true);
    expect(web.has(seriesKey("aks_jit_scrape_database_up"))).toBe(false);
    expect([...web.keys()].some((key) => key.startsWith("aks_jit_requests_open"))).toBe(false);
  });

  it("still answers when the database does not, saying so, and recovers by itself", async () => {
    // A lock no reader can pass stands in for a database that stopped answering.
    const holder = new pg.Client({ connectionString: env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE drift_findings IN ACCESS EXCLUSIVE MODE");
      const startedAt = Date.now();
      const stuck = await scrape();
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(valueIn(stuck, "aks_jit_scrape_database_up")).toBe(0);
      expect(stuck.has(seriesKey("process_cpu_user_seconds_total"))).toBe(true);
      expect([...stuck.keys()].some((key) => key.startsWith("aks_jit_requests_open"))).toBe(false);
      await holder.query("ROLLBACK");
      expect(valueIn(await scrape(), "aks_jit_scrape_database_up")).toBe(1);
    } finally {
      await holder.end();
    }
  }, 30_000);
});
