import type { CatalogCluster } from "@/lib/config/catalog-schema";
import type { AuditLogsFacts } from "./types";

/** The catalog's `auditLogs.table` (lib/activity/types.ts AUDIT_TABLES). */
export type AuditTable = NonNullable<CatalogCluster["auditLogs"]>["table"];

/*
 * Where a cluster's Kubernetes audit logs go, from its diagnostic settings (ARM
 * {clusterId}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview,
 * https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/list). Pure: the posture check
 * and the doctor read the settings, this says what they mean.
 *
 * AKS writes its audit logs in two categories: `kube-audit` (every call, get and list included: the
 * AKSAudit table) and `kube-audit-admin` (the same without get and list: AKSAuditAdmin). The
 * AKSAudit* tables are filled only when the setting sends to a workspace in resource-specific mode
 * (logAnalyticsDestinationType "Dedicated"); otherwise the rows land in AzureDiagnostics
 * (https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs,
 * https://learn.microsoft.com/azure/azure-monitor/essentials/resource-logs#resource-specific).
 * A category group turns on its categories too: `allLogs` every one, `audit` the audit ones
 * (https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#category-groups).
 */

export const AUDIT_CATEGORIES = ["kube-audit-admin", "kube-audit"] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

/** The diagnostic category that fills each table. */
export const CATEGORY_OF_TABLE: Record<AuditTable, AuditCategory> = {
  AKSAuditAdmin: "kube-audit-admin",
  AKSAudit: "kube-audit",
};

export const DIAGNOSTIC_SETTINGS_API_VERSION = "2021-05-01-preview";

export interface ArmDiagnosticSetting {
  name?: string;
  properties?: {
    workspaceId?: string | null;
    logAnalyticsDestinationType?: string | null;
    logs?: Array<{ category?: string | null; categoryGroup?: string | null; enabled?: boolean }> | null;
  };
}

const GROUPS_WITH_AUDIT = new Set(["alllogs", "audit"]);

function auditCategoriesOf(setting: ArmDiagnosticSetting): AuditCategory[] {
  const enabled = (setting.properties?.logs ?? []).filter((log) => log.enabled === true);
  if (enabled.some((log) => GROUPS_WITH_AUDIT.has(log.categoryGroup?.toLowerCase() ?? ""))) {
    return [...AUDIT_CATEGORIES];
  }
  return AUDIT_CATEGORIES.filter((category) => enabled.some((log) => log.category?.toLowerCase() === category));
}

const isDedicated = (setting: ArmDiagnosticSetting) =>
  setting.properties?.logAnalyticsDestinationType?.toLowerCase() === "dedicated";

/**
 * The setting that best collects the audit logs: to a workspace in resource-specific mode, then to a
 * workspace in AzureDiagnostics mode; `categories: []` when none sends an audit category to a
 * workspace (a storage account or event hub alone cannot be queried).
 */
export function auditLogsFromSettings(
  settings: readonly ArmDiagnosticSetting[],
  /** only the settings that send this category (the doctor's: the catalog's table's) */
  only?: AuditCategory,
): AuditLogsFacts {
  const candidates = settings
    .map((setting) => ({ setting, categories: auditCategoriesOf(setting) }))
    .filter(({ categories }) => categories.length > 0 && (!only || categories.includes(only)))
    .filter(({ setting }) => !!setting.properties?.workspaceId);
  const rank = ({ setting, categories }: (typeof candidates)[number]) =>
    (isDedicated(setting) ? 0 : 10) - categories.length;
  const best = candidates.sort((a, b) => rank(a) - rank(b))[0];
  if (!best) return { categories: [], workspaceResourceId: null, isResourceSpecific: false, settingName: null };
  return {
    categories: best.categories,
    workspaceResourceId: best.setting.properties?.workspaceId ?? null,
    isResourceSpecific: isDedicated(best.setting),
    settingName: best.setting.name ?? null,
  };
}

/**
 * `az monitor diagnostic-settings create` sending the table's category to a workspace in
 * resource-specific mode (https://learn.microsoft.com/cli/azure/monitor/diagnostic-settings#az-monitor-diagnostic-settings-create).
 */
export function diagnosticSettingCommand(input: {
  clusterResourceId: string;
  workspaceResourceId: string | null | undefined;
  table: AuditTable;
}): string {
  const logs = JSON.stringify([{ category: CATEGORY_OF_TABLE[input.table], enabled: true }]);
  return [
    "az monitor diagnostic-settings create",
    "--name aks-audit",
    `--resource ${input.clusterResourceId}`,
    `--workspace ${input.workspaceResourceId ?? "<your workspace id>"}`,
    "--export-to-resource-specific true",
    `--logs '${logs}'`,
  ].join(" ");
}

/**
 * Switches an existing setting to resource-specific mode, keeping its categories and destinations
 * (`create` under the same name would replace them).
 */
export function resourceSpecificCommand(clusterResourceId: string, settingName: string | null): string {
  return `az monitor diagnostic-settings update --name ${settingName ?? "<setting name>"} --resource ${clusterResourceId} --export-to-resource-specific true`;
}

/** Where the audit logs go, in words for the Posture page; undefined for facts read before issue 19. */
export function describeAuditLogs(audit: AuditLogsFacts | null | undefined): string | undefined {
  if (audit === undefined) return undefined;
  if (audit === null) return "unknown: the diagnostic settings could not be read";
  if (audit.categories.length === 0) return "not collected to a Log Analytics workspace";
  const workspace = audit.workspaceResourceId?.split("/").pop() ?? "a workspace";
  return `${audit.categories.join(", ")} to ${workspace} (${audit.isResourceSpecific ? "resource-specific" : "AzureDiagnostics: the AKSAudit tables stay empty"})`;
}
