import { gzipSync } from "node:zlib";

/**
 * The Azure portal's Logs blade on a workspace with a query filled in and a time range set: the link
 * the portal's own "Share > Copy link to query" makes. The query travels gzip-compressed and
 * base64-encoded in the `q` segment (the portal expands it), the time range as an ISO 8601 interval
 * (https://learn.microsoft.com/azure/azure-monitor/logs/log-analytics-tutorial#share-a-query, and the
 * encoding as scripts that build these links do it:
 * https://gist.github.com/mdowst/9a5d2fadbbdf079754991cbf1d8aa663). Each segment is URL-encoded, so
 * the "/" of the resource id, the base64 and the interval stay inside their segment. Pure.
 */
export function portalLogsLink(input: {
  tenantId: string;
  workspaceResourceId: string;
  query: string;
  from: Date;
  to: Date;
}): string {
  const query = gzipSync(Buffer.from(input.query, "utf8")).toString("base64");
  const timespan = `${input.from.toISOString()}/${input.to.toISOString()}`;
  return [
    `https://portal.azure.com/#@${encodeURIComponent(input.tenantId)}/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade`,
    `resourceId/${encodeURIComponent(input.workspaceResourceId)}`,
    "source/LogsBlade.AnalyticsShareLinkToQuery",
    `q/${encodeURIComponent(query)}`,
    `timespan/${encodeURIComponent(timespan)}`,
  ].join("/");
}
