import { afterEach, describe, expect, it } from "vitest";
import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { readDatabaseRows } from "@/lib/metrics/database-gauges";
import { checkAllPostures, checkClusterPosture, checkPostureNow } from "@/lib/posture/check-posture";
import { loadPostureOverview } from "@/lib/posture/posture-view";
import { ZClusterFacts, ZPostureFinding } from "@/lib/posture/types";
import { injectFault, resetEmulatorCluster, setEmulatorCluster } from "../support/emulator-state";
import { contextFor, sessionUser } from "../support/users";

/** A cluster's posture read through ARM from the emulator's cluster states: findings come and go with the cluster's settings, each change audited once. */

const prod = getCatalog().clusters.find((c) => c.name === "aks-prod-weu")!;
const dev = getCatalog().clusters.find((c) => c.name === "aks-dev-weu")!;
const correlationId = "posture-test";
// The test catalog adds clusters that only exist for other suites' grants (test/support/test-catalog.ts): ARM does not know them.
const DEMO = ["aks-prod-weu", "aks-dev-weu"];
const UNKNOWN_TO_ARM = getCatalog().clusters.length - DEMO.length;

const stored = async (name: string) => {
  const row = await db.clusterPosture.findUniqueOrThrow({ where: { clusterName: name } });
  return {
    ...row,
    facts: row.facts === null ? null : ZClusterFacts.parse(row.facts),
    codes: ZPostureFinding.array()
      .parse(row.findings)
      .map((f) => f.code),
  };
};
const changesOf = async (name: string) =>
  (await db.auditEvent.findMany({ where: { type: "posture.changed", subjectId: name }, orderBy: { seq: "asc" } })).map(
    (e) => e.data as { changes: string[]; findings: Array<{ code: string; fix: string }> },
  );

/** The emulator's switch of a cluster's diagnostic settings (PUT /_emulator/clusters/:name/diagnostics). */
const setDiagnostics = async (clusterName: string, categories: string[], destination = "Dedicated") => {
  const response = await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/clusters/${clusterName}/diagnostics`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ categories, destination }),
  });
  if (!response.ok) throw new Error(`PUT diagnostics answered ${response.status}: ${await response.text()}`);
};
/** What the demo tenant seeds: both audit categories to the demo workspace, resource-specific. */
const DEMO_DIAGNOSTICS = ["kube-audit-admin", "kube-audit"];

afterEach(async () => {
  await injectFault();
  await resetEmulatorCluster(prod.clusterName);
  await resetEmulatorCluster(dev.clusterName);
  await setDiagnostics(prod.clusterName, DEMO_DIAGNOSTICS);
});

describe("posture", () => {
  it("reads the demo clusters: production compliant, development with findings, each recorded once", async () => {
    const checks = (await checkAllPostures(new Date(), correlationId)).filter((c) => DEMO.includes(c.cluster));
    expect(checks.map((c) => [c.cluster, c.outcome]).sort()).toEqual([
      ["aks-dev-weu", "changed"],
      ["aks-prod-weu", "changed"],
    ]);
    // Two reads per cluster: its GET lists the pools with their SSH mode; its diagnostic settings say
    // where its audit logs go.
    expect(checks.map((c) => c.armCalls)).toEqual([2, 2]);
    const prodNow = await stored("aks-prod-weu");
    expect(prodNow.codes).toEqual([]);
    expect(prodNow.facts).toMatchObject({
      isManagedEntra: true,
      isAzureRbac: true,
      areLocalAccountsDisabled: true,
      isPrivate: false,
      authorizedIpRanges: ["203.0.113.0/24"],
      nodeResourceGroup: prod.nodeResourceGroup,
      nodePools: [
        { name: "system", mode: "System", sshAccess: "Disabled" },
        { name: "user", mode: "User", sshAccess: "EntraId" },
      ],
    });
    expect((await stored("aks-dev-weu")).codes).toEqual([
      "node-pool-ssh-local-user:user",
      "api-server-open",
      "oidc-issuer-off",
      "workload-identity-off",
    ]);
    const devChanges = await changesOf("aks-dev-weu");
    expect(devChanges).toHaveLength(1);
    expect(devChanges[0]!.changes).toEqual(["first read"]);
    expect(devChanges[0]!.findings[0]!.fix).toBe(
      "az aks nodepool update -g rg-aks-dev --cluster-name aks-dev-weu -n user --ssh-access disabled",
    );

    // Nothing changed: nothing more in the audit.
    const again = (await checkAllPostures(new Date(), correlationId)).filter((c) => DEMO.includes(c.cluster));
    expect(again.map((c) => c.outcome)).toEqual(["unchanged", "unchanged"]);
    expect(await changesOf("aks-dev-weu")).toHaveLength(1);
    expect(await changesOf("aks-prod-weu")).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, string[], string]>([
    ["local accounts on", { disableLocalAccounts: false }, ["local-accounts-enabled"], "local accounts turned on"],
    ["Azure RBAC off", { enableAzureRBAC: false }, ["azure-rbac-off"], "Azure RBAC for Kubernetes turned off"],
    ["Entra integration off", { managed: false }, ["entra-integration-off"], "managed Entra ID integration turned off"],
    [
      "SSH as a local user",
      { sshAccess: { user: "LocalUser" } },
      ["node-pool-ssh-local-user:user"],
      "node pool user SSH access changed from EntraId to LocalUser",
    ],
    [
      "an API server open to any address",
      { authorizedIPRanges: [] },
      ["api-server-open"],
      "authorized IP ranges changed from 203.0.113.0/24 to none",
    ],
    [
      "a private API server with a public FQDN",
      { authorizedIPRanges: [], enablePrivateCluster: true, enablePrivateClusterPublicFQDN: true },
      ["private-cluster-public-fqdn"],
      "API server made private",
    ],
    ["workload identity off", { workloadIdentity: false }, ["workload-identity-off"], "workload identity turned off"],
    [
      "the OIDC issuer off",
      { workloadIdentity: false, oidcIssuer: false },
      ["oidc-issuer-off", "workload-identity-off"],
      "OIDC issuer turned off",
    ],
  ])("finds %s when the cluster changes, and clears it when it is put back", async (_, settings, codes, words) => {
    await checkClusterPosture(prod, new Date(), { correlationId });
    const before = (await changesOf("aks-prod-weu")).length;
    expect((await stored("aks-prod-weu")).codes).toEqual([]);

    await setEmulatorCluster(prod.clusterName, settings);
    expect((await checkClusterPosture(prod, new Date(), { correlationId })).outcome).toBe("changed");
    expect((await stored("aks-prod-weu")).codes).toEqual(codes);
    const opened = (await changesOf("aks-prod-weu")).slice(before);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.changes).toContain(words);
    expect(opened[0]!.changes).toEqual(expect.arrayContaining(codes.map((code) => `finding opened: ${code}`)));
    expect(opened[0]!.findings.map((f) => f.code)).toEqual(codes);

    // Read again unchanged: recorded once, not at every check.
    expect((await checkClusterPosture(prod, new Date(), { correlationId })).outcome).toBe("unchanged");
    expect(await changesOf("aks-prod-weu")).toHaveLength(before + 1);

    await resetEmulatorCluster(prod.clusterName);
    expect((await checkClusterPosture(prod, new Date(), { correlationId })).outcome).toBe("changed");
    expect((await stored("aks-prod-weu")).codes).toEqual([]);
    const closed = (await changesOf("aks-prod-weu")).slice(before + 1);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.changes).toEqual(expect.arrayContaining(codes.map((code) => `finding closed: ${code}`)));
  });

  it("finds audit logs not collected, then not resource-specific, and clears it when they are collected again", async () => {
    await checkClusterPosture(prod, new Date(), { correlationId });
    expect((await stored("aks-prod-weu")).facts!.auditLogs).toMatchObject({
      categories: expect.arrayContaining(DEMO_DIAGNOSTICS),
      isResourceSpecific: true,
      workspaceResourceId: expect.stringMatching(/\/providers\/Microsoft\.OperationalInsights\/workspaces\//i),
    });
    const before = (await changesOf("aks-prod-weu")).length;

    await setDiagnostics(prod.clusterName, []);
    expect((await checkClusterPosture(prod, new Date(), { correlationId })).outcome).toBe("changed");
    expect((await stored("aks-prod-weu")).codes).toEqual(["audit-logs-not-collected"]);
    const [opened] = (await changesOf("aks-prod-weu")).slice(before);
    expect(opened!.changes).toContain("finding opened: audit-logs-not-collected");
    // The demo catalog names no workspace, and the cluster sends its audit logs nowhere now.
    expect(opened!.findings[0]!.fix).toBe(
      `az monitor diagnostic-settings create --name aks-audit --resource ${(await stored("aks-prod-weu")).facts!.resourceId} --workspace <your workspace id> --export-to-resource-specific true --logs '[{"category":"kube-audit-admin","enabled":true}]'`,
    );

    await setDiagnostics(prod.clusterName, ["kube-audit-admin"], "AzureDiagnostics");
    await checkClusterPosture(prod, new Date(), { correlationId });
    expect((await stored("aks-prod-weu")).codes).toEqual(["audit-logs-not-resource-specific"]);

    await setDiagnostics(prod.clusterName, DEMO_DIAGNOSTICS);
    await checkClusterPosture(prod, new Date(), { correlationId });
    expect((await stored("aks-prod-weu")).codes).toEqual([]);
  });

  it("keeps checking when the diagnostic settings cannot be read: audit logs unknown, no finding", async () => {
    await injectFault({
      path: "managedClusters/aks-prod-weu/providers/Microsoft.Insights/diagnosticSettings",
      method: "GET",
      count: 1,
      status: 403,
    });
    const check = await checkClusterPosture(prod, new Date(), { correlationId });
    expect(check.outcome).not.toBe("failed");
    const now = await stored("aks-prod-weu");
    expect(now.facts!.auditLogs).toBeNull();
    expect(now.codes).toEqual([]);
  });

  it("records a read failure as the error and keeps the last facts and findings", async () => {
    await checkClusterPosture(dev, new Date(), { correlationId });
    const last = await stored("aks-dev-weu");
    const events = (await changesOf("aks-dev-weu")).length;
    const calls = await db.auditEvent.count({ where: { type: "provider.call" } });

    const fault = await injectFault({ path: "managedClusters/aks-dev-weu\\?", method: "GET", count: 1, status: 403 });
    expect(fault.status).toBe(201);
    const failedAt = new Date();
    expect((await checkClusterPosture(dev, failedAt, { correlationId })).outcome).toBe("failed");
    const failed = await stored("aks-dev-weu");
    expect(failed.error).toContain("aks-dev-weu");
    expect(failed.checkedAt).toEqual(failedAt);
    expect(failed.facts).toEqual(last.facts);
    expect(failed.codes).toEqual(last.codes);
    expect(await changesOf("aks-dev-weu")).toHaveLength(events);
    // The reads are not audit rows, failed or not.
    expect(await db.auditEvent.count({ where: { type: "provider.call" } })).toBe(calls);
    expect((await readDatabaseRows(5_000)).postures).toContainEqual({
      cluster: "aks-dev-weu",
      high: 1,
      medium: 1,
      low: 2,
      // The standing-access map was read with the facts before the failure: nobody but the app.
      standing: 0,
      isFailing: true,
    });

    // Read again: the error goes, and since nothing else changed, nothing is recorded.
    expect((await checkClusterPosture(dev, new Date(), { correlationId })).outcome).toBe("unchanged");
    expect((await stored("aks-dev-weu")).error).toBeNull();
    expect(await changesOf("aks-dev-weu")).toHaveLength(events);
  });

  it("lets admins check now and auditors read the postures; requesters neither", async () => {
    const now = new Date();
    await expect(checkPostureNow(await contextFor("n01@contoso.com", now))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(loadPostureOverview(await sessionUser("n01@contoso.com"))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });

    await setEmulatorCluster(dev.clusterName, { disableLocalAccounts: false });
    const admin = await contextFor("adm01@contoso.com", now);
    const total = DEMO.length + UNKNOWN_TO_ARM;
    expect(await checkPostureNow(admin)).toEqual({ clusters: total, changed: 1, failed: UNKNOWN_TO_ARM });
    const checked = await db.auditEvent.findMany({
      where: { type: "posture.checked", correlationId: admin.origin.correlationId },
    });
    expect(checked.map((e) => [e.actorUpn, e.data])).toEqual([
      ["adm01@contoso.com", expect.objectContaining({ clusters: total, changed: 1, failed: UNKNOWN_TO_ARM })],
    ]);
    const change = await db.auditEvent.findFirstOrThrow({
      where: { type: "posture.changed", subjectId: "aks-dev-weu", correlationId: admin.origin.correlationId },
    });
    expect((change.data as { changes: string[] }).changes).toContain("local accounts turned on");

    const overview = await loadPostureOverview(await sessionUser("aud01@contoso.com"));
    const all = overview.clusters.flatMap((c) => (c.posture ? [c.posture] : []));
    expect(all.filter((p) => !DEMO.includes(p.clusterName)).map((p) => [p.facts, p.error !== null])).toEqual(
      Array.from({ length: UNKNOWN_TO_ARM }, () => [null, true]),
    );
    const postures = all.filter((p) => DEMO.includes(p.clusterName));
    expect(postures.map((p) => [p.clusterName, p.findings.length, p.error])).toEqual([
      ["aks-prod-weu", 0, null],
      ["aks-dev-weu", 5, null],
    ]);
    expect(postures[1]!.findings[0]).toMatchObject({
      code: "local-accounts-enabled",
      severity: "high",
      fix: "az aks update -g rg-aks-dev -n aks-dev-weu --disable-local-accounts",
    });
  });

  it("checks each cluster's posture with its part of the scheduled reconcile pass", async () => {
    await checkClusterPosture(dev, new Date(), { correlationId });
    await setEmulatorCluster(dev.clusterName, { disableLocalAccounts: false });
    await startJobs();
    await (await getBoss()).send(QUEUES.reconcile, {});
    await expect
      .poll(async () => (await stored("aks-dev-weu")).codes, { timeout: 30_000, interval: 250 })
      .toContain("local-accounts-enabled");
    const [last] = (await changesOf("aks-dev-weu")).slice(-1);
    expect(last!.changes).toContain("local accounts turned on");
  }, 60_000);
});
