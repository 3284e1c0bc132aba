/* Azure Monitor's ARM side for AKS JIT's activity summaries (issue 19): the clusters' diagnostic
 * settings (Microsoft.Insights/diagnosticSettings, api-version 2021-05-01-preview:
 * https://learn.microsoft.com/rest/api/monitor/diagnostic-settings) and the Log Analytics workspace
 * (Microsoft.OperationalInsights/workspaces, 2023-09-01: https://learn.microsoft.com/rest/api/loganalytics/workspaces/get),
 * whose `properties.customerId` is the id the query API takes. armHandler applies Azure RBAC as for any
 * ARM call: Microsoft.Insights/diagnosticSettings/read|write|delete over the setting (or, for the list,
 * the cluster), Microsoft.OperationalInsights/workspaces/read over the workspace. */
import type { EmulatorContext } from "./context";
import type { Router } from "./http";
import { ArmError, armHandler, sendArm } from "./arm-common";
import { clustersOf } from "./log-analytics/routes";
import {
  AKS_LOG_CATEGORIES,
  type DiagnosticSetting,
  type LogStore,
  type WorkspaceRecord,
  workspaceResourceId,
} from "./log-analytics/store";
import { clusterResourceId } from "./scale-seed";

const CLUSTER =
  "/subscriptions/:subscription/resourceGroups/:resourceGroup/providers/Microsoft.ContainerService/managedClusters/:cluster";
const SETTINGS = `${CLUSTER}/providers/Microsoft.Insights/diagnosticSettings`;
const WORKSPACE =
  "/subscriptions/:subscription/resourceGroups/:resourceGroup/providers/Microsoft.OperationalInsights/workspaces/:workspace";

function settingResource(clusterId: string, s: DiagnosticSetting) {
  return {
    id: `${clusterId}/providers/microsoft.insights/diagnosticSettings/${s.name}`,
    type: "Microsoft.Insights/diagnosticSettings",
    name: s.name,
    location: null,
    kind: null,
    tags: null,
    properties: {
      storageAccountId: null,
      serviceBusRuleId: null,
      workspaceId: s.workspaceId,
      eventHubAuthorizationRuleId: null,
      eventHubName: null,
      marketplacePartnerId: null,
      metrics: [],
      logs: s.logs.map((l) => ({
        category: l.category,
        categoryGroup: l.categoryGroup,
        enabled: l.enabled,
        retentionPolicy: { enabled: false, days: 0 },
      })),
      logAnalyticsDestinationType: s.logAnalyticsDestinationType,
    },
    identity: null,
  };
}

function workspaceResource(w: WorkspaceRecord) {
  return {
    id: workspaceResourceId(w),
    name: w.name,
    type: "Microsoft.OperationalInsights/workspaces",
    location: w.location,
    tags: {},
    properties: {
      customerId: w.customerId,
      provisioningState: "Succeeded",
      sku: { name: "PerGB2018", lastSkuUpdate: w.createdAt.toISOString() },
      retentionInDays: 30,
      features: { legacy: 0, searchVersion: 1, enableLogAccessUsingOnlyResourcePermissions: true },
      workspaceCapping: { dailyQuotaGb: -1, quotaNextResetTime: null, dataIngestionStatus: "RespectQuota" },
      publicNetworkAccessForIngestion: "Enabled",
      publicNetworkAccessForQuery: "Enabled",
      createdDate: w.createdAt.toISOString(),
      modifiedDate: w.createdAt.toISOString(),
    },
  };
}

export function registerArmMonitor(router: Router, ctx: EmulatorContext, store: LogStore) {
  const clusterOf = (params: Record<string, string>) => {
    const c = clustersOf(ctx).find(
      (x) =>
        x.subscriptionId.toLowerCase() === (params.subscription ?? "").toLowerCase() &&
        x.resourceGroup.toLowerCase() === (params.resourceGroup ?? "").toLowerCase() &&
        x.name.toLowerCase() === (params.cluster ?? "").toLowerCase(),
    );
    if (!c) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource 'Microsoft.ContainerService/managedClusters/${params.cluster}' under resource group '${params.resourceGroup}' was not found.`,
      );
    }
    return clusterResourceId(c);
  };

  router.on(
    "GET",
    SETTINGS,
    armHandler(ctx, (req, res) => {
      const id = clusterOf(req.params);
      const settings = [...(store.diagnostics.get(id.toLowerCase())?.values() ?? [])];
      sendArm(res, 200, { value: settings.map((s) => settingResource(id, s)) });
    }),
  );
  router.on(
    "GET",
    `${SETTINGS}/:name`,
    armHandler(ctx, (req, res) => {
      const id = clusterOf(req.params);
      const s = store.diagnostics.get(id.toLowerCase())?.get((req.params.name ?? "").toLowerCase());
      if (!s) throw new ArmError(404, "ResourceNotFound", `The diagnostic setting '${req.params.name}' doesn't exist.`);
      sendArm(res, 200, settingResource(id, s));
    }),
  );
  router.on(
    "PUT",
    `${SETTINGS}/:name`,
    armHandler(ctx, (req, res) => {
      const id = clusterOf(req.params);
      const properties = (req.body.properties ?? {}) as Record<string, unknown>;
      const logs = Array.isArray(properties.logs) ? (properties.logs as Array<Record<string, unknown>>) : [];
      const workspaceId = typeof properties.workspaceId === "string" ? properties.workspaceId : null;
      if (!workspaceId && !properties.storageAccountId && !properties.eventHubAuthorizationRuleId) {
        throw new ArmError(
          400,
          "BadRequest",
          "At least one destination must be specified: a workspace, storage account or event hub.",
        );
      }
      if (workspaceId && !store.workspaceByResourceId(workspaceId)) {
        throw new ArmError(400, "BadRequest", `Resource '${workspaceId}' does not exist.`);
      }
      for (const log of logs) {
        const category = typeof log.category === "string" ? log.category : null;
        const group = typeof log.categoryGroup === "string" ? log.categoryGroup : null;
        if (category && !(AKS_LOG_CATEGORIES as readonly string[]).includes(category)) {
          throw new ArmError(400, "BadRequest", `Category '${category}' is not supported.`);
        }
        if (group && !["allLogs", "audit"].includes(group)) {
          throw new ArmError(400, "BadRequest", `Category group '${group}' is not supported.`);
        }
        if (!category === !group)
          throw new ArmError(400, "BadRequest", "Each log names a category or a categoryGroup.");
      }
      const destination = properties.logAnalyticsDestinationType;
      const setting: DiagnosticSetting = {
        name: req.params.name ?? "",
        workspaceId,
        logs: logs.map((l) => ({
          category: typeof l.category === "string" ? l.category : null,
          categoryGroup: typeof l.categoryGroup === "string" ? l.categoryGroup : null,
          enabled: l.enabled === true,
        })),
        logAnalyticsDestinationType:
          destination === "Dedicated" ? "Dedicated" : destination === "AzureDiagnostics" ? "AzureDiagnostics" : null,
      };
      store.setDiagnostic(id, setting);
      sendArm(res, 200, settingResource(id, setting));
    }),
  );
  router.on(
    "DELETE",
    `${SETTINGS}/:name`,
    armHandler(ctx, (req, res) => {
      const id = clusterOf(req.params);
      const existed = store.diagnostics.get(id.toLowerCase())?.delete((req.params.name ?? "").toLowerCase());
      res.writeHead(existed ? 200 : 204).end();
    }),
  );
  router.on(
    "GET",
    WORKSPACE,
    armHandler(ctx, (req, res) => {
      const w = [...store.workspaces.values()].find(
        (x) =>
          x.subscriptionId.toLowerCase() === (req.params.subscription ?? "").toLowerCase() &&
          x.resourceGroup.toLowerCase() === (req.params.resourceGroup ?? "").toLowerCase() &&
          x.name.toLowerCase() === (req.params.workspace ?? "").toLowerCase(),
      );
      if (!w) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `The Resource 'Microsoft.OperationalInsights/workspaces/${req.params.workspace}' under resource group '${req.params.resourceGroup}' was not found.`,
        );
      }
      sendArm(res, 200, workspaceResource(w));
    }),
  );
}
