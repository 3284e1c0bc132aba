import "server-only";
import { PROVISIONER_ROLE } from "@/lib/cloud/required-permissions";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import { armRead, type ReadContext } from "./arm-read";
import type { ActivityProblem, AuditTable } from "./types";

/*
 * Where a cluster's Kubernetes audit logs are: the catalog's workspace, else the one its diagnostic
 * settings send `kube-audit-admin` (AKSAuditAdmin) or `kube-audit` (AKSAudit) to in resource-specific
 * mode, and that workspace's customerId, which the query API takes. Reused by the doctor and the
 * posture check, which read the same settings.
 *
 * Diagnostic settings: https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/list
 * (api-version 2021-05-01-preview); "Dedicated" is resource-specific mode, where AKS writes the
 * AKSAudit / AKSAuditAdmin tables (https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs);
 * "AzureDiagnostics" (legacy) writes everything to the AzureDiagnostics table instead.
 * Workspace: https://learn.microsoft.com/rest/api/loganalytics/workspaces/get (api-version 2023-09-01).
 */

export const DIAGNOSTIC_SETTINGS_API_VERSION = "2021-05-01-preview";
export const WORKSPACE_API_VERSION = "2023-09-01";

const CATEGORY_OF: Record<AuditTable, string> = { AKSAuditAdmin: "kube-audit-admin", AKSAudit: "kube-audit" };
const TABLE_OF: Record<string, AuditTable> = { "kube-audit-admin": "AKSAuditAdmin", "kube-audit": "AKSAudit" };

export type AuditWorkspace =
  | {
      isFound: true;
      workspaceResourceId: string;
      /** the workspace's customerId: the query API's workspace id */
      customerId: string;
      table: AuditTable;
      source: "catalog" | "diagnostic-settings";
    }
  | { isFound: false; problem: ActivityProblem };

interface DiagnosticSetting {
  name?: string;
  properties?: {
    workspaceId?: string | null;
    logAnalyticsDestinationType?: string | null;
    logs?: Array<{ category?: string | null; categoryGroup?: string | null; enabled?: boolean }>;
  };
}

/** The command that sends the cluster's audit logs to a workspace in resource-specific mode. */
export function collectAuditLogsCommand(clusterId: string, workspaceId: string, table: AuditTable = "AKSAuditAdmin") {
  const logs = JSON.stringify([{ category: CATEGORY_OF[table], enabled: true }]);
  return `az monitor diagnostic-settings create --name aks-audit --resource ${clusterId} --workspace ${workspaceId} --export-to-resource-specific true --logs '${logs}'`;
}

/** The command that lets the app query a workspace (Log Analytics Reader). */
export function workspaceReaderCommand(workspaceId: string) {
  return `az role assignment create --role "Log Analytics Reader" --assignee ${env.ENTRA_CLIENT_ID} --scope ${workspaceId}`;
}

export async function findAuditWorkspace(cluster: CatalogCluster, context: ReadContext): Promise<AuditWorkspace> {
  const wanted: AuditTable = cluster.auditLogs?.table ?? "AKSAuditAdmin";
  const configured = cluster.auditLogs?.workspaceResourceId;
  if (configured) return withCustomerId(configured, wanted, "catalog", context);

  const path = `${cluster.resourceId}/providers/Microsoft.Insights/diagnosticSettings?api-version=${DIAGNOSTIC_SETTINGS_API_VERSION}`;
  const answer = await armRead(path, `read the diagnostic settings of ${cluster.name}`, context);
  if (answer.status === 403) {
    // The app's provisioner role (lib/cloud/required-permissions.ts) carries Microsoft.Insights/diagnosticSettings/read.
    return missing(
      "no-workspace-access",
      `Azure refused to show ${cluster.name}'s diagnostic settings to AKS JIT (it needs Microsoft.Insights/diagnosticSettings/read on the cluster): ${answer.error?.message ?? "403"}`,
      `Add Microsoft.Insights/diagnosticSettings/read to the role "${PROVISIONER_ROLE.roleName}" (deploy/terraform does), or: az role assignment create --role "${PROVISIONER_ROLE.roleName}" --assignee ${env.ENTRA_CLIENT_ID} --scope ${cluster.resourceId}`,
    );
  }
  if (answer.status >= 400) {
    return missing(
      "query-failed",
      `Azure could not read ${cluster.name}'s diagnostic settings: ${answer.error?.message ?? answer.status}`,
      `Check that ${cluster.resourceId} exists and try again.`,
    );
  }
  const settings = ((answer.body as { value?: DiagnosticSetting[] } | undefined)?.value ?? []).filter(
    (s) => s.properties?.workspaceId,
  );
  const chosen = chooseSetting(settings, wanted);
  const placeholder = "<workspace-resource-id>";
  if (!chosen) {
    return missing(
      "not-collected",
      `No diagnostic setting of ${cluster.name} sends its Kubernetes audit logs (${CATEGORY_OF[wanted]}) to a Log Analytics workspace.`,
      collectAuditLogsCommand(cluster.resourceId, settings[0]?.properties?.workspaceId ?? placeholder, wanted),
    );
  }
  if (!chosen.isDedicated) {
    return missing(
      "not-collected",
      `${cluster.name}'s diagnostic setting "${chosen.name}" sends its audit logs to the AzureDiagnostics table (legacy mode), not to ${chosen.table}.`,
      collectAuditLogsCommand(cluster.resourceId, chosen.workspaceId, chosen.table),
    );
  }
  return withCustomerId(chosen.workspaceId, chosen.table, "diagnostic-settings", context);
}

/**
 * The setting that sends the wanted table's category, else the other one (AKSAudit holds every call
 * AKSAuditAdmin does, and reads besides), resource-specific ones first. `allLogs` and `audit`
 * category groups send both.
 */
function chooseSetting(settings: DiagnosticSetting[], wanted: AuditTable) {
  const candidates = settings.flatMap((setting) => {
    const logs = (setting.properties?.logs ?? []).filter((l) => l.enabled);
    const isGroup = logs.some((l) => l.categoryGroup === "allLogs" || l.categoryGroup === "audit");
    const categories = new Set(logs.map((l) => l.category ?? ""));
    return Object.keys(TABLE_OF)
      .filter((category) => isGroup || categories.has(category))
      .map((category) => ({
        name: setting.name ?? "",
        workspaceId: setting.properties!.workspaceId!,
        table: TABLE_OF[category]!,
        isDedicated: setting.properties?.logAnalyticsDestinationType === "Dedicated",
      }));
  });
  const rank = (c: (typeof candidates)[number]) => (c.isDedicated ? 0 : 2) + (c.table === wanted ? 0 : 1);
  return candidates.sort((a, b) => rank(a) - rank(b))[0];
}

async function withCustomerId(
  workspaceResourceId: string,
  table: AuditTable,
  source: "catalog" | "diagnostic-settings",
  context: ReadContext,
): Promise<AuditWorkspace> {
  const answer = await armRead(
    `${workspaceResourceId}?api-version=${WORKSPACE_API_VERSION}`,
    `read the workspace ${workspaceResourceId}`,
    context,
  );
  if (answer.status === 403) {
    return missing(
      "no-workspace-access",
      `Azure refused to show the workspace ${workspaceResourceId} to AKS JIT: ${answer.error?.message ?? "403"}`,
      workspaceReaderCommand(workspaceResourceId),
    );
  }
  const customerId = (answer.body as { properties?: { customerId?: string } } | undefined)?.properties?.customerId;
  if (answer.status >= 400 || !customerId) {
    return missing(
      "query-failed",
      `The Log Analytics workspace ${workspaceResourceId} could not be read: ${answer.error?.message ?? answer.status}`,
      source === "catalog"
        ? "Correct auditLogs.workspaceResourceId in the catalog."
        : "Check the cluster's diagnostic settings.",
    );
  }
  return { isFound: true, workspaceResourceId, customerId, table, source };
}

const missing = (code: ActivityProblem["code"], message: string, fix: string): AuditWorkspace => ({
  isFound: false,
  problem: { code, message, fix },
});
