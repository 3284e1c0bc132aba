import { z } from "zod";

/*
 * What a holder did with their access (issue 19): the Kubernetes API calls the cluster's audit logs
 * hold for them over the access period and the tokens' lifetime after it, and their Entra sign-ins to
 * the nodes. Queried from the cluster's Log Analytics workspace (AKSAuditAdmin, or AKSAudit when the
 * catalog asks for reads too) and from Graph's sign-in logs after each grant ends, summarised, and
 * recorded as an `activity.summarised` audit event on the request's trail (the record that counts,
 * carried whole by the evidence pack) and as the request's row in request_activities (the index that
 * pages and search read). Stored as JSON: these schemas parse it back.
 */

/** The resource-specific tables of the `kube-audit` and `kube-audit-admin` diagnostic categories. */
export const AUDIT_TABLES = ["AKSAuditAdmin", "AKSAudit"] as const;
export type AuditTable = (typeof AUDIT_TABLES)[number];

/** Why a Kubernetes call is listed one by one rather than only counted. */
export const SENSITIVE_KINDS = [
  "secret-read", // get/list/watch on secrets (only AKSAudit has reads)
  "exec", // pods/exec
  "attach", // pods/attach
  "portforward", // pods/portforward
  "ephemeral-container", // pods/ephemeralcontainers (kubectl debug <pod>)
  "node-debug", // a node-debugger-* pod (kubectl debug node/<node>)
  "delete", // delete, deletecollection
  "rbac-change", // writes to rbac.authorization.k8s.io
  "admission-change", // writes to admissionregistration.k8s.io
] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

/** One Kubernetes API call, as the summary lists it (sensitive, denied, or after the access ended). */
export const ZKubernetesCall = z.object({
  /** TimeGenerated, ISO */
  at: z.string(),
  verb: z.string(),
  requestUri: z.string(),
  resource: z.string(),
  subresource: z.string(),
  namespace: z.string(),
  name: z.string(),
  apiGroup: z.string(),
  /** ResponseStatus.code (0 when the log has none) */
  code: z.number().int(),
  sourceIps: z.array(z.string()),
  userAgent: z.string(),
  /** why it is listed: its sensitive kinds ([] when only denied or after the end) */
  kinds: z.array(z.enum(SENSITIVE_KINDS)),
  isDenied: z.boolean(),
  /** made after the access period ended, with a token issued before */
  isAfterEnd: z.boolean(),
});
export type KubernetesCall = z.infer<typeof ZKubernetesCall>;

const ZCount = z.object({ key: z.string(), count: z.number().int().nonnegative() });

/** One Entra sign-in of the holder to the node VMs' sign-in application (Graph auditLogs/signIns). */
export const ZNodeSignIn = z.object({
  id: z.string(),
  at: z.string(),
  appDisplayName: z.string(),
  resourceDisplayName: z.string(),
  ipAddress: z.string(),
  /** status.errorCode: 0 is success */
  errorCode: z.number().int(),
  failureReason: z.string().nullable(),
  isAfterEnd: z.boolean(),
});
export type NodeSignIn = z.infer<typeof ZNodeSignIn>;

/** Why there is no summary: what a person must do about it, never an empty summary. */
export const UNAVAILABLE_CODES = [
  "not-collected", // no diagnostic setting sends kube-audit(-admin) to a workspace in resource-specific mode
  "no-workspace-access", // the app lacks Log Analytics Reader on the workspace (403)
  "table-missing", // the workspace has no such table (the category was never sent there)
  "sign-ins-forbidden", // Graph refused auditLogs/signIns (AuditLog.Read.All)
  "query-failed", // anything else Log Analytics or Graph answered, in its words
] as const;
export type UnavailableCode = (typeof UNAVAILABLE_CODES)[number];

export const ZActivityProblem = z.object({
  code: z.enum(UNAVAILABLE_CODES),
  /** what went wrong, in words */
  message: z.string(),
  /** what to do about it: the command or the permission */
  fix: z.string(),
});
export type ActivityProblem = z.infer<typeof ZActivityProblem>;

export const ZActivitySummary = z.object({
  format: z.literal("aks-jit-activity/1"),
  requestId: z.string(),
  clusterName: z.string(),
  holder: z.object({ id: z.string(), userPrincipalName: z.string() }),
  /** the window queried: the access period's start to its end plus the token lifetime */
  window: z.object({
    from: z.string(),
    /** when the access period ended (activeUntil) */
    accessEnd: z.string(),
    /** accessEnd + TOKEN_LIFETIME_MINUTES: calls after accessEnd and before this are flagged */
    to: z.string(),
    /** false while `to` (plus the ingestion delay) had not passed when it was queried */
    isComplete: z.boolean(),
  }),
  /** when the queries ran */
  queriedAt: z.string(),
  /** "summarised": the logs were read (there may be 0 calls); "unavailable": see `problems` */
  status: z.enum(["summarised", "unavailable"]),
  problems: z.array(ZActivityProblem),
  kubernetes: z
    .object({
      table: z.enum(AUDIT_TABLES),
      /** the workspace's ARM resource id and its customerId (the query API's workspace id) */
      workspaceResourceId: z.string(),
      workspaceId: z.string(),
      /** every query sent, exactly as sent, in order, with its timespan (ISO 8601 interval) */
      queries: z.array(z.object({ text: z.string(), timespan: z.string() })),
      /** the Azure portal's Logs blade with the same query, for the auditor to see the rows themselves */
      portalLink: z.string(),
      /** sha256 (hex) over the canonical JSON of every row summarised, in order (lib/activity/rows-hash.ts) */
      rowsHash: z.string(),
      /** rows the summary is built from (count groups + listed calls) */
      rowsReturned: z.number().int().nonnegative(),
      totalCalls: z.number().int().nonnegative(),
      deniedCalls: z.number().int().nonnegative(),
      afterEndCalls: z.number().int().nonnegative(),
      sensitiveCalls: z.number().int().nonnegative(),
      secretReads: z.number().int().nonnegative(),
      byVerb: z.array(ZCount),
      /** "resource" or "resource/subresource" */
      byResource: z.array(ZCount),
      /** "" is cluster-scoped */
      byNamespace: z.array(ZCount),
      /** sensitive, denied and after-end calls one by one, oldest first, at most ACTIVITY_LISTED_CALLS */
      listed: z.array(ZKubernetesCall),
      /** more such calls than were listed */
      isListTruncated: z.boolean(),
      /** AKSAuditAdmin has no get/list: reads (secret reads among them) are not visible */
      hasReads: z.boolean(),
    })
    .nullable(),
  nodeSignIns: z
    .object({
      /** the Graph request sent, as sent */
      query: z.string(),
      total: z.number().int().nonnegative(),
      afterEnd: z.number().int().nonnegative(),
      items: z.array(ZNodeSignIn),
    })
    .nullable(),
});
export type ActivitySummary = z.infer<typeof ZActivitySummary>;

/** At most this many calls are listed one by one; the counts still cover every call. */
export const ACTIVITY_LISTED_CALLS = 500;
/** A query covers at most this much time: longer windows are read in slices of it. */
export const ACTIVITY_SLICE_HOURS = 24;
