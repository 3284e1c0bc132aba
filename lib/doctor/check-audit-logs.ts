import { PROVISIONER_ROLE } from "@/lib/cloud/required-permissions";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import {
  type ArmDiagnosticSetting,
  auditLogsFromSettings,
  CATEGORY_OF_TABLE,
  DIAGNOSTIC_SETTINGS_API_VERSION,
  diagnosticSettingCommand,
  resourceSpecificCommand,
} from "@/lib/posture/audit-logs";
import { type CheckResult, describeFailure, fail, pass, type Read, type TenantReader, warn } from "./check-result";

const CHECK = "Kubernetes audit logs";

/** Log Analytics workspaces (Microsoft.OperationalInsights/workspaces, stable 2023-09-01). */
const WORKSPACE_API_VERSION = "2023-09-01";

/** A query through the app's LogsQueryClient, answered with the number of rows or a failure. */
export type LogsProbe = (workspaceCustomerId: string, query: string) => Promise<Read<number>>;

interface ArmWorkspace {
  properties?: { customerId?: string };
}

const readerFix = (clientId: string, workspaceId: string) =>
  `\`az role assignment create --assignee ${clientId} --role "Log Analytics Reader" --scope ${workspaceId}\` (Terraform: deploy/terraform's log_analytics_workspace_ids).`;

/**
 * Whether AKS JIT can summarise what a grant was used for on one cluster (issue 19, docs/activity.md):
 * the catalog's table (auditLogs.table, AKSAuditAdmin by default) is filled by a diagnostic setting
 * sending its category to a workspace in resource-specific mode; the app can read the workspace
 * (ARM: its customerId, the query API's workspace id) and query the table, `<table> | take 1`, with
 * its own credential, as the activity summary will. The first step that fails is the line's fix.
 */
async function checkCluster(
  reader: TenantReader,
  probe: LogsProbe,
  clientId: string,
  cluster: CatalogCluster,
): Promise<CheckResult> {
  const table = cluster.auditLogs?.table ?? "AKSAuditAdmin";
  const category = CATEGORY_OF_TABLE[table];
  const settings = await reader.armList<ArmDiagnosticSetting>(
    `${cluster.resourceId}/providers/Microsoft.Insights/diagnosticSettings?api-version=${DIAGNOSTIC_SETTINGS_API_VERSION}`,
  );
  let workspaceId = cluster.auditLogs?.workspaceResourceId;
  if (!settings.ok) {
    if (!workspaceId) {
      return warn(
        CHECK,
        cluster.name,
        `cannot read the cluster's diagnostic settings to find its workspace: ${describeFailure(settings)}`,
        `Give the app Microsoft.Insights/diagnosticSettings/read on the cluster (the role "${PROVISIONER_ROLE.roleName}" includes it; see Azure role assignments above), or name the workspace in the catalog: clusters[].auditLogs.workspaceResourceId.`,
      );
    }
  } else {
    // Only the settings that send the catalog's table's category count here.
    const collected = auditLogsFromSettings(settings.value, category);
    if (!collected.categories.includes(category)) {
      return fail(
        CHECK,
        cluster.name,
        `${category} is not sent to a Log Analytics workspace, so ${table} has no rows and nobody can see what was done with a grant`,
        `\`${diagnosticSettingCommand({
          clusterResourceId: cluster.resourceId,
          // The workspace the cluster's other audit category already goes to, if any.
          workspaceResourceId: workspaceId ?? auditLogsFromSettings(settings.value).workspaceResourceId,
          table,
        })}\` (Terraform: deploy/terraform's audit_log_workspace_id).`,
      );
    }
    if (!collected.isResourceSpecific) {
      return fail(
        CHECK,
        cluster.name,
        `${category} goes to ${collected.workspaceResourceId} in AzureDiagnostics mode: the ${table} table stays empty`,
        `\`${resourceSpecificCommand(cluster.resourceId, collected.settingName)}\``,
      );
    }
    // The catalog's workspace wins: the summary queries it (lib/activity/find-workspace.ts).
    workspaceId ??= collected.workspaceResourceId!;
  }

  const workspace = await reader.arm<ArmWorkspace>(`${workspaceId}?api-version=${WORKSPACE_API_VERSION}`);
  if (!workspace.ok || !workspace.value.properties?.customerId) {
    const detail = workspace.ok ? "ARM gave no customerId" : describeFailure(workspace);
    return fail(
      CHECK,
      cluster.name,
      `cannot read the workspace ${workspaceId}: ${detail}`,
      !workspace.ok && workspace.status === 404
        ? `Check the workspace id (\`az monitor log-analytics workspace show -g <rg> -n <name> --query id -o tsv\`) in the diagnostic setting or the catalog's auditLogs.workspaceResourceId.`
        : readerFix(clientId, workspaceId),
    );
  }

  const query = `${table} | take 1`;
  const probed = await probe(workspace.value.properties.customerId, query);
  if (!probed.ok) {
    const detail = `\`${query}\` failed: ${describeFailure(probed)}`;
    if (probed.status === 403 || probed.status === 401)
      return fail(CHECK, cluster.name, detail, readerFix(clientId, workspaceId));
    if (probed.status === 400 || probed.status === 404) {
      return fail(
        CHECK,
        cluster.name,
        `${detail} (the table appears once ${category} has been sent in resource-specific mode)`,
        `\`${diagnosticSettingCommand({ clusterResourceId: cluster.resourceId, workspaceResourceId: workspaceId, table })}\`, then wait for the first rows (minutes).`,
      );
    }
    return fail(
      CHECK,
      cluster.name,
      detail,
      `Check LOG_ANALYTICS_BASE_URL and that the workspace answers: \`az monitor log-analytics query -w ${workspace.value.properties.customerId} --analytics-query "${query}"\`.`,
    );
  }
  return pass(
    CHECK,
    cluster.name,
    `${category} → ${table} in ${workspaceId.split("/").pop()} (resource-specific); the app can query it`,
  );
}

/** Check 7: each catalog cluster's audit logs reach a workspace the app can query. */
export async function checkAuditLogs(
  reader: TenantReader,
  probe: LogsProbe,
  clientId: string,
  clusters: readonly CatalogCluster[],
): Promise<CheckResult[]> {
  return Promise.all(clusters.map((cluster) => checkCluster(reader, probe, clientId, cluster)));
}
