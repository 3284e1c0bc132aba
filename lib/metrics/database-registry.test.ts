import type { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { QUEUES } from "@/lib/jobs/queues";
import { databaseRegistry, databaseUpRegistry, type DatabaseRows } from "./database-registry";

const empty: DatabaseRows = { requestsOpen: [], grantsOverdue: 0, jobs: [], driftOpen: [], lastVerification: null };

/** name → "label=value,…" → value, from a registry's JSON form */
async function valuesOf(registry: Registry) {
  const values = new Map<string, Map<string, number>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const series = new Map<string, number>();
    for (const { labels, value } of metric.values) {
      const key = Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, label]) => `${name}=${String(label)}`)
        .join(",");
      series.set(key, value);
    }
    values.set(metric.name, series);
  }
  return values;
}

describe("databaseRegistry", () => {
  it("gives every open state, queue and drift kind a series, 0 when the database had no row for it", async () => {
    const values = await valuesOf(databaseRegistry(empty, 0.01));
    expect([...values.get("aks_jit_requests_open")!.keys()]).toEqual([
      "state=pending",
      "state=approved",
      "state=scheduled",
      "state=activating",
      "state=active",
    ]);
    const queues = Object.values(QUEUES);
    expect(values.get("aks_jit_jobs")!.size).toBe(queues.length * 3);
    for (const queue of queues) {
      for (const state of ["created", "retry", "active"])
        expect(values.get("aks_jit_jobs")!.get(`queue=${queue},state=${state}`)).toBe(0);
      expect(values.get("aks_jit_jobs_oldest_age_seconds")!.get(`queue=${queue}`)).toBe(0);
      expect(values.get("aks_jit_jobs_failed")!.get(`queue=${queue}`)).toBe(0);
    }
    expect([...values.get("aks_jit_drift_findings_open")!.entries()]).toEqual([
      ["kind=unexplained", 0],
      ["kind=missing", 0],
    ]);
    expect(values.get("aks_jit_grants_overdue")!.get("")).toBe(0);
    expect(values.get("aks_jit_audit_last_verification_timestamp_seconds")!.get("")).toBe(0);
    expect(values.get("aks_jit_audit_last_verification_intact")!.get("")).toBe(0);
  });

  it("shows the rows it is given, the oldest wait per queue counting only jobs still waiting", async () => {
    const rows: DatabaseRows = {
      requestsOpen: [
        { state: "pending", count: 3 },
        { state: "active", count: 7 },
      ],
      grantsOverdue: 2,
      jobs: [
        { queue: "activate", state: "created", count: 4, oldestDueSeconds: 12.5 },
        { queue: "activate", state: "retry", count: 1, oldestDueSeconds: 40 },
        { queue: "activate", state: "active", count: 2, oldestDueSeconds: 900 },
        { queue: "expire-access", state: "created", count: 9, oldestDueSeconds: null },
        { queue: "notify-deliver", state: "failed", count: 5, oldestDueSeconds: null },
        { queue: "not-a-queue-of-ours", state: "created", count: 1, oldestDueSeconds: 1 },
      ],
      driftOpen: [{ kind: "unexplained", count: 1 }],
      lastVerification: { ranAt: new Date("2026-12-05T10:00:00Z"), isIntact: true },
    };
    const values = await valuesOf(databaseRegistry(rows, 0.02));
    expect(values.get("aks_jit_requests_open")!.get("state=pending")).toBe(3);
    expect(values.get("aks_jit_requests_open")!.get("state=active")).toBe(7);
    expect(values.get("aks_jit_grants_overdue")!.get("")).toBe(2);
    const jobs = values.get("aks_jit_jobs")!;
    expect([jobs.get("queue=activate,state=created"), jobs.get("queue=activate,state=retry")]).toEqual([4, 1]);
    expect(jobs.get("queue=activate,state=active")).toBe(2);
    expect(jobs.get("queue=expire-access,state=created")).toBe(9);
    expect([...jobs.keys()].some((key) => key.includes("not-a-queue-of-ours"))).toBe(false);
    const oldest = values.get("aks_jit_jobs_oldest_age_seconds")!;
    expect([oldest.get("queue=activate"), oldest.get("queue=expire-access")]).toEqual([40, 0]);
    expect(values.get("aks_jit_jobs_failed")!.get("queue=notify-deliver")).toBe(5);
    expect(values.get("aks_jit_drift_findings_open")!.get("kind=unexplained")).toBe(1);
    expect(values.get("aks_jit_audit_last_verification_timestamp_seconds")!.get("")).toBe(
      Date.parse("2026-12-05T10:00:00Z") / 1000,
    );
    expect(values.get("aks_jit_audit_last_verification_intact")!.get("")).toBe(1);
    expect(values.get("aks_jit_scrape_database_seconds")!.get("")).toBe(0.02);
  });

  it("says whether the database answered", async () => {
    expect(await databaseUpRegistry(true).metrics()).toContain("aks_jit_scrape_database_up 1");
    expect(await databaseUpRegistry(false).metrics()).toContain("aks_jit_scrape_database_up 0");
  });

  it("shows each checked cluster's findings by severity, its standing principals once known, and a failing check", async () => {
    const values = await valuesOf(
      databaseRegistry(
        {
          ...empty,
          postures: [
            { cluster: "aks-dev", high: 1, medium: 1, low: 2, standing: null, isFailing: false },
            { cluster: "aks-prod", high: 0, medium: 0, low: 0, standing: 3, isFailing: true },
          ],
        },
        0.01,
      ),
    );
    expect([...values.get("aks_jit_posture_findings")!.entries()]).toEqual([
      ["cluster=aks-dev,severity=high", 1],
      ["cluster=aks-dev,severity=medium", 1],
      ["cluster=aks-dev,severity=low", 2],
      ["cluster=aks-prod,severity=high", 0],
      ["cluster=aks-prod,severity=medium", 0],
      ["cluster=aks-prod,severity=low", 0],
    ]);
    expect([...values.get("aks_jit_posture_standing_principals")!.entries()]).toEqual([["cluster=aks-prod", 3]]);
    expect([...values.get("aks_jit_posture_check_failing")!.entries()]).toEqual([
      ["cluster=aks-dev", 0],
      ["cluster=aks-prod", 1],
    ]);
  });
});
