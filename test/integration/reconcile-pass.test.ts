import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { catalogBindingsByCluster } from "@/lib/access/reconcile-cluster";
import { startReconcilePass } from "@/lib/access/reconcile-access";
import type { ReconcileSummary } from "@/lib/audit/events";
import { grantTargets, type GrantTarget } from "@/lib/cloud/access-provider";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { openJobs } from "@/lib/jobs/outbox";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { demoUser } from "../support/emulator-browser";
import { injectFault } from "../support/emulator-state";

/**
 * The reconciler's pass, fanned out per cluster through its jobs. Guards against a pass that
 * doubles itself when the cron ticks while it runs, against the chained audit row per HTTP read
 * it used to write (two thirds of the audit at 500 clusters), and against findings closed as
 * "gone" on a cluster whose reads failed.
 */

const dev = findRole(getCatalog(), "aks-dev-weu", "admin")!;
const [, rbacTarget] = grantTargets(dev.cluster, dev.role, demoUser("aud01@contoso.com").id) as [
  GrantTarget,
  GrantTarget,
];
const devAdminKey = `armRoleAssignment:3498e952-d568-435e-9b2c-8d77e338d7f7:${dev.cluster.resourceId.toLowerCase()}`;
const clusters = [...catalogBindingsByCluster().keys()];

const summariesOf = async (passId: string) =>
  (await db.auditEvent.findMany({ where: { type: "drift.reconciled" }, orderBy: { seq: "asc" } }))
    .map((e) => e.data as unknown as ReconcileSummary)
    .filter((s) => s.passId === passId);

const clusterJobs = (passId: string) =>
  db.$queryRaw<Array<{ key: string; state: string }>>`
    SELECT singleton_key AS key, state::text AS state FROM pgboss.job
    WHERE name = ${QUEUES.reconcileCluster} AND data->>'passId' = ${passId}`;

/** Waits until every cluster job of the pass has finished: then whatever the pass does is done. */
const passDone = () => expect.poll(() => openJobs(QUEUES.reconcileCluster), { timeout: 25_000, interval: 100 }).toBe(0);

let standingName = "";

afterAll(async () => {
  await injectFault();
  if (standingName) await armAuthorizationClient(dev.cluster.subscriptionId).roleAssignments.deleteById(standingName);
});

describe("a reconcile pass over several clusters", () => {
  it("fans out one keyed job per cluster, and a tick while it runs starts nothing", async () => {
    expect(clusters.length).toBeGreaterThanOrEqual(4);
    const first = await startReconcilePass(new Date());
    expect(first).toMatchObject({ clusters: clusters.length });
    // The cron ticks again before any cluster was read: no second pass.
    expect(await startReconcilePass(new Date())).toBeNull();
    const jobs = await clusterJobs(first!.passId);
    expect(jobs.map((j) => j.key).sort()).toEqual([...clusters].sort());
    expect(await openJobs(QUEUES.reconcileCluster)).toBe(clusters.length);
    // A cluster has at most one job waiting, whoever sends it.
    const boss = await getBoss();
    const duplicate = { cluster: clusters[0], passId: randomUUID(), correlationId: "test" };
    expect(await boss.send(QUEUES.reconcileCluster, duplicate, { singletonKey: clusters[0] })).toBeNull();

    const callsBefore = await db.auditEvent.count({ where: { type: "provider.call" } });
    await startJobs();
    await passDone();
    const summaries = await summariesOf(first!.passId);
    expect(summaries.map((s) => s.cluster).sort()).toEqual([...clusters].sort());
    // The reads are in the summaries, not one audit row each.
    expect(await db.auditEvent.count({ where: { type: "provider.call" } })).toBe(callsBefore);
    const reads = summaries.reduce((sum, s) => sum + s.calls.arm + s.calls.graph, 0);
    expect(reads).toBeGreaterThanOrEqual(summaries.reduce((sum, s) => sum + s.bindings, 0));
    for (const summary of summaries) {
      expect(summary).toMatchObject({ bindingsRead: summary.bindings, failures: [] });
    }
  });

  it("counts what it finds and closes, and keeps the findings of a cluster it could not read, saying why", async () => {
    const aud01 = rbacTarget.principalId;
    // Someone gives aud01 AKS RBAC Admin on the dev cluster by hand.
    const standing = await armAuthorizationClient(dev.cluster.subscriptionId).roleAssignments.create(
      dev.cluster.resourceId,
      randomUUID(),
      {
        roleDefinitionId: `/subscriptions/${dev.cluster.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/3498e952-d568-435e-9b2c-8d77e338d7f7`,
        principalId: aud01,
        principalType: "User",
      },
    );
    standingName = standing.id!;
    const found = await startReconcilePass(new Date());
    await passDone();
    const devFound = (await summariesOf(found!.passId)).find((s) => s.cluster === "aks-dev-weu")!;
    expect(devFound.findings).toMatchObject({ opened: 1, closed: 0, kept: 0 });
    expect(devFound.assignmentsSeen).toBeGreaterThanOrEqual(1);
    const [finding, ...others] = await db.driftFinding.findMany({ where: { principalId: aud01, resolvedAt: null } });
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ kind: "unexplained", bindingKey: devAdminKey });

    // The access goes, but the dev cluster cannot be read: its finding is kept, not closed as gone.
    await armAuthorizationClient(dev.cluster.subscriptionId).roleAssignments.deleteById(standingName);
    standingName = "";
    await injectFault({
      path: "managedClusters/aks-dev-weu/providers/Microsoft.Authorization/roleAssignments",
      method: "GET",
      status: 403,
      count: 50,
    });
    const failed = await startReconcilePass(new Date());
    await passDone();
    await injectFault();
    const summaries = await summariesOf(failed!.passId);
    expect(summaries).toHaveLength(clusters.length);
    const devFailed = summaries.find((s) => s.cluster === "aks-dev-weu")!;
    expect(devFailed.failures).toEqual([
      {
        bindingKey: devAdminKey,
        grantKind: "armRoleAssignment",
        reason: expect.stringMatching(/not allowed to list .* on aks-dev-weu/),
      },
    ]);
    expect(devFailed.findings).toMatchObject({ kept: 1, closed: 0 });
    expect(devFailed.bindingsRead).toBe(devFailed.bindings - 1);
    expect(await db.driftFinding.findUniqueOrThrow({ where: { id: finding!.id } })).toMatchObject({ resolvedAt: null });
    // Only the cluster that failed says so.
    expect(summaries.filter((s) => s.failures.length > 0).map((s) => s.cluster)).toEqual(["aks-dev-weu"]);

    // Read again: the finding closes as gone, and the summary counts it.
    const read = await startReconcilePass(new Date());
    await passDone();
    const devRead = (await summariesOf(read!.passId)).find((s) => s.cluster === "aks-dev-weu")!;
    expect(devRead).toMatchObject({ failures: [], findings: { closed: 1, kept: 0 } });
    expect(await db.driftFinding.findUniqueOrThrow({ where: { id: finding!.id } })).toMatchObject({
      resolution: "gone",
    });
  });
});
