import "server-only";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/**
 * The per-process series: counters and histograms that this process adds to as things happen.
 * Prometheus sums them over pods. Series read from the database at scrape time are in
 * database-registry.ts; they are not kept here, so that a pod never serves a stale copy.
 *
 * Labels take values from closed sets only (labels.ts; cluster and role from the catalog): never a
 * person, a request id or a URL, so that the number of series stays bounded.
 */
function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "aks_jit_requests_total",
      help: "Access requests reaching each step of their lifecycle (filed, approved, denied, activated, failed, expired ...)",
      labelNames: ["cluster", "role", "outcome"] as const,
      registers,
    }),
    approvalLatency: new Histogram({
      name: "aks_jit_approval_latency_seconds",
      help: "From a request filed to its final decision by approvers (approved or denied)",
      labelNames: ["outcome"] as const,
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400],
      registers,
    }),
    activationLatency: new Histogram({
      name: "aks_jit_activation_latency_seconds",
      help: "From a request approved (or its scheduled start, if later) to its access active in Entra ID and Azure",
      buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    expiryLag: new Histogram({
      name: "aks_jit_expiry_lag_seconds",
      help: "From a grant's end to its removal at the service",
      buckets: [1, 5, 15, 30, 60, 90, 120, 300, 600, 1800, 3600],
      registers,
    }),
    providerCalls: new Counter({
      name: "aks_jit_provider_calls_total",
      help: "HTTP attempts at Microsoft Graph and Azure Resource Manager, each retry included; status 'none' when no response came",
      labelNames: ["service", "operation", "status"] as const,
      registers,
    }),
    providerThrottled: new Counter({
      name: "aks_jit_provider_throttled_total",
      help: "Graph and ARM attempts answered 429 Too Many Requests",
      labelNames: ["service"] as const,
      registers,
    }),
    providerRetryAfter: new Counter({
      name: "aks_jit_provider_retry_after_seconds_total",
      help: "Seconds that Graph and ARM asked us to wait (Retry-After), summed over their answers",
      labelNames: ["service"] as const,
      registers,
    }),
    providerCallDuration: new Histogram({
      name: "aks_jit_provider_call_duration_seconds",
      help: "Duration of one Graph or ARM HTTP attempt, until its response headers (or its failure)",
      labelNames: ["service", "operation"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    providerOperations: new Counter({
      name: "aks_jit_provider_operations_total",
      help: "Grant operations (apply, extend, remove, read, list ...) by grant kind, whether they succeeded after the clients' retries",
      labelNames: ["grant_kind", "operation", "outcome"] as const,
      registers,
    }),
    activityQueries: new Counter({
      name: "aks_jit_activity_queries_total",
      help: "Log Analytics queries of holders' Kubernetes activity, by audit table and outcome (ok, partial, failed)",
      labelNames: ["table", "outcome"] as const,
      registers,
    }),
    activityRowsReturned: new Counter({
      name: "aks_jit_activity_rows_returned_total",
      help: "Rows Log Analytics returned to the activity queries",
      labelNames: ["table"] as const,
      registers,
    }),
    activityRowsScanned: new Counter({
      name: "aks_jit_activity_rows_scanned_total",
      help: "Rows the activity queries scanned in the workspace (the query statistics' tableRowCount)",
      labelNames: ["table"] as const,
      registers,
    }),
    reconcileDuration: new Histogram({
      name: "aks_jit_reconcile_duration_seconds",
      help: "Duration of one reconcile run: one cluster of a scheduled pass (a job), or every cluster (Check now)",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800],
      registers,
    }),
    reconcileSkipped: new Counter({
      name: "aks_jit_reconcile_skipped_bindings_total",
      help: "Bindings a reconcile run could not read, and so did not check",
      registers,
    }),
    postureChecks: new Counter({
      name: "aks_jit_posture_checks_total",
      help: "Cluster posture checks, by outcome: unchanged, changed (posture.changed recorded) or failed (ARM could not be read)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    driftResolutions: new Counter({
      name: "aks_jit_drift_resolutions_total",
      help: "Drift findings an admin resolved, by finding kind and action",
      labelNames: ["kind", "action"] as const,
      registers,
    }),
    notificationDeliveries: new Counter({
      name: "aks_jit_notification_deliveries_total",
      help: "Attempts to deliver one notification (an email, a Teams or Slack post), by channel and outcome",
      labelNames: ["channel", "outcome"] as const,
      registers,
    }),
    auditAppendWait: new Histogram({
      name: "aks_jit_audit_append_wait_seconds",
      help: "Time a transaction waited for its turn at the audit chain (the advisory lock every append takes)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

export type AppMetrics = ReturnType<typeof createMetrics>;

// On globalThis: Next bundles server code into several chunks (instrumentation, each route), each
// with its own copy of this module, and all of them must add to the series that /metrics serves.
const globalForMetrics = globalThis as unknown as { aksJitMetrics?: AppMetrics };

export const metrics: AppMetrics = (globalForMetrics.aksJitMetrics ??= createMetrics());
