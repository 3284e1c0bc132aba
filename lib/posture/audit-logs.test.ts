import { describe, expect, it } from "vitest";
import {
  auditLogsFromSettings,
  describeAuditLogs,
  diagnosticSettingCommand,
  type ArmDiagnosticSetting,
} from "./audit-logs";
import { describeChanges } from "./changes";
import { postureFindings } from "./findings";
import type { ClusterFacts } from "./types";

const WORKSPACE =
  "/subscriptions/s/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law";
const CLUSTER_ID = "/subscriptions/s/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-1";

const REF = { resourceGroup: "rg-aks", clusterName: "aks-1" };
const changesOfAuditLogs = (was: ClusterFacts, now: ClusterFacts) =>
  describeChanges(
    { facts: was, findings: postureFindings(REF, was) },
    { facts: now, findings: postureFindings(REF, now) },
  );

const setting = (
  name: string,
  logs: Array<{ category?: string; categoryGroup?: string; enabled: boolean }>,
  properties: { workspaceId?: string | null; logAnalyticsDestinationType?: string | null } = {},
): ArmDiagnosticSetting => ({ name, properties: { workspaceId: WORKSPACE, logs, ...properties } });

describe("auditLogsFromSettings: where the cluster's diagnostic settings send its audit logs", () => {
  it("finds nothing collected without a setting, or with audit categories off or sent to storage only", () => {
    const none = { categories: [], workspaceResourceId: null, isResourceSpecific: false, settingName: null };
    expect(auditLogsFromSettings([])).toEqual(none);
    expect(
      auditLogsFromSettings([
        setting("apiserver", [{ category: "kube-apiserver", enabled: true }], {
          logAnalyticsDestinationType: "Dedicated",
        }),
        setting("off", [{ category: "kube-audit-admin", enabled: false }], {
          logAnalyticsDestinationType: "Dedicated",
        }),
        setting("storage", [{ category: "kube-audit", enabled: true }], { workspaceId: null }),
      ]),
    ).toEqual(none);
  });

  it("prefers a resource-specific setting to an AzureDiagnostics one, whatever the order", () => {
    const legacy = setting("legacy", [
      { category: "kube-audit", enabled: true },
      { category: "kube-audit-admin", enabled: true },
    ]);
    const dedicated = setting("aks-audit", [{ category: "Kube-Audit-Admin", enabled: true }], {
      logAnalyticsDestinationType: "Dedicated",
    });
    expect(auditLogsFromSettings([legacy, dedicated])).toEqual({
      categories: ["kube-audit-admin"],
      workspaceResourceId: WORKSPACE,
      isResourceSpecific: true,
      settingName: "aks-audit",
    });
    expect(auditLogsFromSettings([legacy])).toMatchObject({ isResourceSpecific: false, settingName: "legacy" });
  });

  it("takes the allLogs and audit category groups for both audit categories", () => {
    for (const categoryGroup of ["allLogs", "audit"]) {
      expect(
        auditLogsFromSettings([
          setting("g", [{ categoryGroup, enabled: true }], { logAnalyticsDestinationType: "Dedicated" }),
        ]).categories,
      ).toEqual(["kube-audit-admin", "kube-audit"]);
    }
  });
});

describe("audit log findings", () => {
  const facts = (auditLogs: ClusterFacts["auditLogs"]): ClusterFacts => ({
    resourceId: CLUSTER_ID,
    isManagedEntra: true,
    isAzureRbac: true,
    areLocalAccountsDisabled: true,
    isPrivate: true,
    hasPublicFqdn: false,
    fqdn: null,
    authorizedIpRanges: [],
    isOidcIssuer: true,
    isWorkloadIdentity: true,
    adminGroupObjectIds: [],
    nodeResourceGroup: "MC",
    nodePools: [],
    auditLogs,
  });
  const cluster = { resourceGroup: "rg-aks", clusterName: "aks-1" };

  it("finds nothing when they are collected resource-specific, or when they could not be read", () => {
    const collected = {
      categories: ["kube-audit-admin"],
      workspaceResourceId: WORKSPACE,
      isResourceSpecific: true,
      settingName: "a",
    };
    expect(postureFindings(cluster, facts(collected))).toEqual([]);
    expect(postureFindings(cluster, facts(null))).toEqual([]);
    expect(postureFindings(cluster, facts(undefined))).toEqual([]);
  });

  it("says when they are not collected, with the command for the catalog's table and workspace", () => {
    const none = { categories: [], workspaceResourceId: null, isResourceSpecific: false, settingName: null };
    const [finding] = postureFindings(cluster, facts(none));
    expect(finding).toMatchObject({ code: "audit-logs-not-collected", severity: "medium" });
    expect(finding!.allows).toMatch(/nobody can see what was done with access to this cluster/i);
    expect(finding!.fix).toBe(
      `az monitor diagnostic-settings create --name aks-audit --resource ${CLUSTER_ID} --workspace <your workspace id> --export-to-resource-specific true --logs '[{"category":"kube-audit-admin","enabled":true}]'`,
    );
    const [withCatalog] = postureFindings(
      { ...cluster, auditLogs: { workspaceResourceId: WORKSPACE, table: "AKSAudit" } },
      facts(none),
    );
    expect(withCatalog!.fix).toBe(
      diagnosticSettingCommand({ clusterResourceId: CLUSTER_ID, workspaceResourceId: WORKSPACE, table: "AKSAudit" }),
    );
    expect(withCatalog!.fix).toContain(`--workspace ${WORKSPACE} `);
    expect(withCatalog!.fix).toContain(`"category":"kube-audit"`);
  });

  it("says when they go to AzureDiagnostics, and switches that setting to resource-specific", () => {
    const legacy = {
      categories: ["kube-audit"],
      workspaceResourceId: WORKSPACE,
      isResourceSpecific: false,
      settingName: "legacy",
    };
    expect(postureFindings(cluster, facts(legacy)).map((f) => [f.code, f.severity, f.fix])).toEqual([
      [
        "audit-logs-not-resource-specific",
        "medium",
        `az monitor diagnostic-settings update --name legacy --resource ${CLUSTER_ID} --export-to-resource-specific true`,
      ],
    ]);
  });

  it("describes a change between two known reads only", () => {
    const on = {
      categories: ["kube-audit-admin"],
      workspaceResourceId: WORKSPACE,
      isResourceSpecific: true,
      settingName: "a",
    };
    const off = { categories: [], workspaceResourceId: null, isResourceSpecific: false, settingName: null };
    expect(changesOfAuditLogs(facts(on), facts(off))).toEqual([
      "audit log categories collected changed from kube-audit-admin to none",
      `audit log workspace changed from ${WORKSPACE} to none`,
      "audit logs moved to AzureDiagnostics",
      "finding opened: audit-logs-not-collected",
    ]);
    expect(changesOfAuditLogs(facts(on), facts(null))).toEqual([]);
    expect(changesOfAuditLogs(facts(undefined), facts(on))).toEqual([]);
  });
});

describe("describeAuditLogs: the Posture page's words", () => {
  it.each<[string, Parameters<typeof describeAuditLogs>[0], string | undefined]>([
    ["facts read before audit logs were", undefined, undefined],
    ["unreadable settings", null, "unknown: the diagnostic settings could not be read"],
    [
      "nothing collected",
      { categories: [], workspaceResourceId: null, isResourceSpecific: false, settingName: null },
      "not collected to a Log Analytics workspace",
    ],
    [
      "collected",
      { categories: ["kube-audit-admin"], workspaceResourceId: WORKSPACE, isResourceSpecific: true, settingName: "a" },
      "kube-audit-admin to law (resource-specific)",
    ],
  ])("%s", (_, audit, words) => {
    expect(describeAuditLogs(audit)).toBe(words);
  });
});
