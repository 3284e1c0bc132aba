import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import type { ArmAnswer } from "./arm-read";
import { findAuditWorkspace } from "./find-workspace";

/** Where a cluster's audit logs are, from ARM's answers (a stand-in for armRead): each outcome and its fix. */

const answers = new Map<string, ArmAnswer>();
vi.mock("@/lib/config/env", () => ({ env: { ENTRA_CLIENT_ID: "app-client-id" } }));
vi.mock("./arm-read", () => ({
  armRead: async (path: string) => {
    const key = [...answers.keys()].find((prefix) => path.startsWith(prefix));
    return key ? answers.get(key)! : { status: 404, body: undefined, error: { code: "NotFound" } };
  },
}));

const CLUSTER_ID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
const WORKSPACE = "/subscriptions/s1/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law";
const cluster = (auditLogs?: CatalogCluster["auditLogs"]) =>
  ({ name: "aks", resourceId: CLUSTER_ID, subscriptionId: "s1", auditLogs }) as unknown as CatalogCluster;
const context = { correlationId: "t", onCalls: () => undefined };
const setting = (logs: Array<Record<string, unknown>>, destination: string | null = "Dedicated") => ({
  name: "to-law",
  properties: { workspaceId: WORKSPACE, logAnalyticsDestinationType: destination, logs },
});
const settingsAre = (value: unknown[]) =>
  answers.set(`${CLUSTER_ID}/providers/Microsoft.Insights/diagnosticSettings`, { status: 200, body: { value } });

beforeEach(() => {
  answers.clear();
  answers.set(WORKSPACE, { status: 200, body: { properties: { customerId: "cust-1" } } });
});

describe("findAuditWorkspace", () => {
  it("takes the catalog's workspace and table", async () => {
    expect(await findAuditWorkspace(cluster({ workspaceResourceId: WORKSPACE, table: "AKSAudit" }), context)).toEqual({
      isFound: true,
      workspaceResourceId: WORKSPACE,
      customerId: "cust-1",
      table: "AKSAudit",
      source: "catalog",
    });
  });

  it("finds the workspace the cluster's diagnostic settings send kube-audit-admin to, resource-specific", async () => {
    settingsAre([setting([{ category: "kube-audit-admin", enabled: true }])]);
    expect(await findAuditWorkspace(cluster(), context)).toMatchObject({
      isFound: true,
      customerId: "cust-1",
      table: "AKSAuditAdmin",
      source: "diagnostic-settings",
    });
  });

  it("reads AKSAudit where only kube-audit is sent, and either table from the allLogs group", async () => {
    settingsAre([setting([{ category: "kube-audit", enabled: true }])]);
    expect(await findAuditWorkspace(cluster(), context)).toMatchObject({ isFound: true, table: "AKSAudit" });
    settingsAre([setting([{ categoryGroup: "allLogs", enabled: true }])]);
    expect(await findAuditWorkspace(cluster({ table: "AKSAudit" }), context)).toMatchObject({ table: "AKSAudit" });
  });

  it.each([
    ["no setting", [], "<workspace-resource-id>"],
    ["a disabled category", [setting([{ category: "kube-audit-admin", enabled: false }])], WORKSPACE],
    ["legacy AzureDiagnostics mode", [setting([{ category: "kube-audit-admin", enabled: true }], null)], WORKSPACE],
  ])("is not collected with %s, and says the exact command", async (_, value, workspace) => {
    settingsAre(value);
    const found = await findAuditWorkspace(cluster(), context);
    expect(found).toMatchObject({ isFound: false, problem: { code: "not-collected" } });
    expect(!found.isFound && found.problem.fix).toBe(
      `az monitor diagnostic-settings create --name aks-audit --resource ${CLUSTER_ID} --workspace ${workspace} --export-to-resource-specific true --logs '[{"category":"kube-audit-admin","enabled":true}]'`,
    );
  });

  it("says which permission reads the diagnostic settings when ARM refuses them", async () => {
    answers.set(`${CLUSTER_ID}/providers/Microsoft.Insights/diagnosticSettings`, {
      status: 403,
      body: {},
      error: { code: "AuthorizationFailed", message: "no" },
    });
    const found = await findAuditWorkspace(cluster(), context);
    expect(found).toMatchObject({ isFound: false, problem: { code: "no-workspace-access" } });
    expect(!found.isFound && found.problem.fix).toContain("Microsoft.Insights/diagnosticSettings/read");
  });

  it("says which role assignment lets the app read the workspace when ARM refuses it", async () => {
    answers.set(WORKSPACE, { status: 403, body: {}, error: { code: "AuthorizationFailed", message: "no" } });
    const found = await findAuditWorkspace(
      cluster({ workspaceResourceId: WORKSPACE, table: "AKSAuditAdmin" }),
      context,
    );
    expect(found).toMatchObject({
      isFound: false,
      problem: {
        code: "no-workspace-access",
        fix: `az role assignment create --role "Log Analytics Reader" --assignee app-client-id --scope ${WORKSPACE}`,
      },
    });
  });
});
