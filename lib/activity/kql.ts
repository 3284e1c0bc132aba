import type { AuditTable } from "./types";

/*
 * The app's own KQL: the only queries it sends to Log Analytics, and the subset of KQL the emulator
 * answers (emulator/log-analytics/). Pure: text in, text out.
 *
 * Who the holder is in the audit logs: with AKS-managed Microsoft Entra integration, the API server
 * authenticates an Entra user's token and records `user.username` as the user's UPN (a service
 * principal's as its object id), and `user.extra.oid` as the object id
 * (https://learn.microsoft.com/azure/aks/concepts-identity#microsoft-entra-integration,
 * https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs). The queries match
 * either, case-insensitively for the UPN.
 *
 * One row per call: the API server records long-running calls (exec, attach, portforward, watch)
 * at ResponseStarted and again at ResponseComplete; only ResponseComplete (or Panic) is counted
 * (https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy).
 */

export interface ActivityQueryInput {
  table: AuditTable;
  userPrincipalName: string;
  objectId: string;
  /** the slice queried: [from, to) */
  from: Date;
  to: Date;
  /** when the access period ended: later calls are flagged */
  accessEnd: Date;
}

/** A KQL string literal: double-quoted, with backslashes and quotes escaped. */
export function kqlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const kqlDatetime = (at: Date) => `datetime(${at.toISOString()})`;

const kqlList = (values: readonly string[]) => `(${values.map(kqlString).join(", ")})`;

/** The rows of one holder in one slice, one per call. */
function holderCalls({ table, userPrincipalName, objectId, from, to }: ActivityQueryInput): string[] {
  return [
    table,
    `| where TimeGenerated >= ${kqlDatetime(from)} and TimeGenerated < ${kqlDatetime(to)}`,
    `| where Stage in ${kqlList(["ResponseComplete", "Panic"])}`,
    `| where tostring(User.username) =~ ${kqlString(userPrincipalName)} or tostring(User.username) == ${kqlString(objectId)} or tostring(User.extra.oid[0]) == ${kqlString(objectId)}`,
  ];
}

const COLUMNS =
  "| extend Resource = tostring(ObjectRef.resource), Subresource = tostring(ObjectRef.subresource), Namespace = tostring(ObjectRef.namespace), Name = tostring(ObjectRef.name), ApiGroup = tostring(ObjectRef.apiGroup), Code = toint(ResponseStatus.code)";

const WRITES = ["create", "update", "patch", "delete", "deletecollection"] as const;

/** The calls listed one by one: lib/activity/classify.ts says which kinds each one is. */
export const SENSITIVE_PREDICATE = [
  `(Resource == "secrets" and Verb in ${kqlList(["get", "list", "watch"])})`,
  `Subresource in ${kqlList(["exec", "attach", "portforward", "ephemeralcontainers"])}`,
  `Verb in ${kqlList(["delete", "deletecollection"])}`,
  `(ApiGroup in ${kqlList(["rbac.authorization.k8s.io", "admissionregistration.k8s.io"])} and Verb in ${kqlList(WRITES)})`,
  `(Resource == "pods" and Verb == "create" and Name startswith "node-debugger-")`,
].join(" or ");

/** Counts of the holder's calls by verb, resource, namespace, status code and before/after the end. */
export function countsQuery(input: ActivityQueryInput): string {
  return [
    ...holderCalls(input),
    COLUMNS,
    `| extend AfterEnd = TimeGenerated >= ${kqlDatetime(input.accessEnd)}`,
    "| summarize Calls = count() by Verb, Resource, Subresource, Namespace, Code, AfterEnd",
  ].join("\n");
}

/** The sensitive, denied and after-end calls, oldest first, at most `limit`. */
export function listedQuery(input: ActivityQueryInput, limit: number): string {
  return [
    ...holderCalls(input),
    COLUMNS,
    `| where ${SENSITIVE_PREDICATE} or Code >= 400 or TimeGenerated >= ${kqlDatetime(input.accessEnd)}`,
    "| project TimeGenerated, Verb, RequestUri, Resource, Subresource, Namespace, Name, ApiGroup, Code, SourceIps, UserAgent",
    "| order by TimeGenerated asc",
    `| take ${limit}`,
  ].join("\n");
}
