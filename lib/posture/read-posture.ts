import "server-only";
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { readWithoutAudit } from "@/lib/access/provider-call";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { toProviderError } from "@/lib/cloud/providers/arm-errors";
import type { CatalogCluster } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";
import { ProviderError, type ProviderErrorKind } from "@/lib/cloud/access-provider";
import { clusterFactsFromArm, poolsOfCluster, type ArmAgentPool, type ArmManagedCluster } from "./arm-facts";
import { auditLogsFromSettings, DIAGNOSTIC_SETTINGS_API_VERSION, type ArmDiagnosticSetting } from "./audit-logs";
import type { AuditLogsFacts, ClusterFacts } from "./types";

/** A stable AKS api-version with apiServerAccessProfile, oidcIssuerProfile, workload identity and each pool's sshAccess. */
const AKS_API_VERSION = "2025-10-01";

/**
 * A catalog cluster's facts, read through ARM as the app (ManagedClusters_Get, and AgentPools_List only
 * when the cluster's answer does not list its pools: AKS's GET carries each pool's securityProfile in
 * agentPoolProfiles, so one read per cluster is the usual cost). The reads go through the ARM client's
 * pipeline, so they carry the app's token, the SDK's retries and the call recorder; like the
 * reconciler's, they reach the logs and metrics (`onCalls`), not the audit. Throws a ProviderError
 * (forbidden, not_found, throttled beyond the job's budget ...) with words a person can act on.
 */
export async function readClusterFacts(
  cluster: CatalogCluster,
  context: { correlationId: string; onCalls: (calls: ProviderCall[]) => void },
): Promise<ClusterFacts> {
  return readWithoutAudit({ ...context, grantKind: "posture", operation: "read" }, async () => {
    const action = `read the settings of ${cluster.name}`;
    const body = await armGet<ArmManagedCluster>(
      cluster,
      `${cluster.resourceId}?api-version=${AKS_API_VERSION}`,
      action,
    );
    const pools =
      poolsOfCluster(body) ??
      (await armList<ArmAgentPool>(cluster, `${cluster.resourceId}/agentPools?api-version=${AKS_API_VERSION}`, action));
    const auditLogs = await readAuditLogs(cluster);
    return { ...clusterFactsFromArm(body, pools), auditLogs };
  });
}

/**
 * Where the cluster's audit logs go: its diagnostic settings, one more read per cluster (the list
 * answers every setting at once). A refusal (403: the app lacks Microsoft.Insights/diagnosticSettings/read),
 * a 404, or a 400 (an ARM that does not know the Microsoft.Insights provider) leaves them unknown
 * rather than failing the whole check; throttling and outages fail it as the cluster's own read would.
 */
const UNKNOWN_WHEN: ReadonlySet<ProviderErrorKind> = new Set(["forbidden", "not_found", "invalid"]);

async function readAuditLogs(cluster: CatalogCluster): Promise<AuditLogsFacts | null> {
  try {
    const settings = await armGet<{ value?: ArmDiagnosticSetting[] }>(
      cluster,
      `${cluster.resourceId}/providers/Microsoft.Insights/diagnosticSettings?api-version=${DIAGNOSTIC_SETTINGS_API_VERSION}`,
      `read the diagnostic settings of ${cluster.name}`,
    );
    return auditLogsFromSettings(settings.value ?? []);
  } catch (error) {
    if (error instanceof ProviderError && UNKNOWN_WHEN.has(error.kind)) {
      log.warn({ cluster: cluster.name, err: error.message }, "posture check could not read the diagnostic settings");
      return null;
    }
    throw error;
  }
}

async function armGet<T>(cluster: CatalogCluster, pathOrUrl: string, action: string): Promise<T> {
  const client = armAuthorizationClient(cluster.subscriptionId);
  const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${env.ARM_BASE_URL}${pathOrUrl}`;
  let response;
  try {
    response = await client.sendRequest(createPipelineRequest({ url, method: "GET" }));
  } catch (error) {
    throw toProviderError(error, action);
  }
  const text = response.bodyAsText ?? "";
  if (response.status >= 400) {
    // As the SDK's operations throw it, so that one translation (arm-errors.ts) words every ARM failure.
    const parsed = parseJson(text) as { error?: { code?: string; message?: string } } | undefined;
    const error = new RestError(parsed?.error?.message ?? (text || `HTTP ${response.status}`), {
      statusCode: response.status,
      code: parsed?.error?.code,
      request: response.request,
      response,
    });
    throw toProviderError(error, action);
  }
  return parseJson(text) as T;
}

async function armList<T>(cluster: CatalogCluster, path: string, action: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const page: { value?: T[]; nextLink?: string } = await armGet(cluster, next, action);
    items.push(...(page.value ?? []));
    next = page.nextLink;
  }
  return items;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
