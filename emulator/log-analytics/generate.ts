/* Kubernetes API calls as AKS's audit logs record them: one call → its AKSAudit row(s), shaped like
 * the Kubernetes audit Event (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event)
 * in the columns of https://learn.microsoft.com/azure/azure-monitor/reference/tables/aksaudit; and a
 * deterministic generator of a realistic mix of calls for load (POST /_emulator/activity/generate).
 *
 * Long-running calls (exec, attach, portforward, watch) are recorded at ResponseStarted and again at
 * ResponseComplete (https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy): the
 * ResponseStarted row comes LONG_RUNNING_MS before the call's `at`, which is its ResponseComplete time. */
import type { Row } from "./kql";
import type { AuditTableName, AuditUser, ClusterRef } from "./model";

export interface CallInput {
  /** when the call completed: TimeGenerated of its ResponseComplete row */
  at: Date;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  /** ResponseStatus.code; 201 for create, 200 otherwise, when not given */
  code?: number;
  requestUri?: string;
  sourceIp?: string;
  userAgent?: string;
}

export const LONG_RUNNING_MS = 30_000;
const KUBECTL = "kubectl/v1.32.5 (linux/amd64) kubernetes/dd1f6f2";
const LONG_RUNNING_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy"]);

export const isLongRunning = (call: Pick<CallInput, "verb" | "subresource">) =>
  call.verb === "watch" || LONG_RUNNING_SUBRESOURCES.has(call.subresource ?? "");

/** The request URI the API server logs for a call, when the caller gave none. */
export function requestUriOf(call: CallInput): string {
  const base = call.apiGroup ? `/apis/${call.apiGroup}/${call.apiVersion ?? "v1"}` : `/api/${call.apiVersion ?? "v1"}`;
  const ns = call.namespace ? `/namespaces/${call.namespace}` : "";
  const path = `${base}${ns}/${call.resource}${call.name ? `/${call.name}` : ""}${call.subresource ? `/${call.subresource}` : ""}`;
  if (call.subresource === "exec") return `${path}?command=sh&container=app&stdin=true&stdout=true&tty=true`;
  if (call.verb === "watch") return `${path}?watch=true`;
  if (call.verb === "list") return `${path}?limit=500`;
  return path;
}

/** A stable kube-apiserver pod name per cluster (AKS runs several replicas; one is enough here). */
function podName(cluster: ClusterRef) {
  let h = 0;
  for (const c of cluster.name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `kube-apiserver-${h.toString(36).slice(0, 9).padEnd(9, "x")}-${(h >>> 7).toString(36).slice(0, 5).padEnd(5, "z")}`;
}

/** The row(s) one call gives in a table. */
export function callRows(
  call: CallInput,
  where: {
    user: AuditUser;
    cluster: ClusterRef;
    table: AuditTableName;
    tenantId: string;
    auditId: string;
    sourceIp: string;
  },
): Row[] {
  const code = call.code ?? (call.verb === "create" ? 201 : 200);
  const isDenied = code === 401 || code === 403;
  const objectRef: Record<string, string> = { resource: call.resource };
  if (call.namespace) objectRef.namespace = call.namespace;
  if (call.name) objectRef.name = call.name;
  if (call.apiGroup) objectRef.apiGroup = call.apiGroup;
  objectRef.apiVersion = call.apiVersion ?? "v1";
  if (call.subresource) objectRef.subresource = call.subresource;
  const status: Record<string, unknown> = { metadata: {}, code };
  if (code >= 400) {
    status.status = "Failure";
    status.reason = isDenied ? "Forbidden" : code === 404 ? "NotFound" : "BadRequest";
    status.message = isDenied
      ? `${call.resource}${call.subresource ? `/${call.subresource}` : ""} is forbidden: User "${where.user.username}" cannot ${call.verb} resource "${call.resource}"`
      : `${call.resource} "${call.name ?? ""}" not found`;
  }
  const level = call.resource === "secrets" || call.resource === "configmaps" ? "Metadata" : "RequestResponse";
  const requestUri = call.requestUri ?? requestUriOf(call);
  const sourceIps = [call.sourceIp ?? where.sourceIp];
  const annotations = {
    "authorization.k8s.io/decision": isDenied ? "forbid" : "allow",
    "authorization.k8s.io/reason": "",
  };
  const pod = podName(where.cluster);
  const resourceId = where.cluster.resourceId.toLowerCase();
  // One literal per row (no spreads): rows are built by the thousand for each query of generated calls.
  const row = (time: Date, stage: string, responseStatus: object, received: Date): Row => ({
    TimeGenerated: time,
    Level: level,
    AuditId: where.auditId,
    Stage: stage,
    RequestUri: requestUri,
    Verb: call.verb,
    User: where.user as unknown as object,
    SourceIps: sourceIps,
    UserAgent: call.userAgent ?? KUBECTL,
    ObjectRef: objectRef,
    ResponseStatus: responseStatus,
    RequestObject: null,
    ResponseObject: null,
    RequestReceivedTime: received,
    StageReceivedTime: time,
    Annotations: annotations,
    PodName: pod,
    SourceSystem: "Azure",
    TenantId: where.tenantId,
    Type: where.table,
    _ResourceId: resourceId,
    _SubscriptionId: where.cluster.subscriptionId,
    _IsBillable: "True",
    _BilledSize: 1200,
  });
  const at = call.at.getTime();
  const longRunning = isLongRunning(call);
  const received = new Date(at - (longRunning ? LONG_RUNNING_MS : 12));
  const complete = row(call.at, "ResponseComplete", status, received);
  if (!longRunning) return [complete];
  const startedAt = new Date(at - LONG_RUNNING_MS + 5);
  return [row(startedAt, "ResponseStarted", { metadata: {}, code: call.subresource ? 101 : 200 }, received), complete];
}

// ---------------------------------------------------------------- the generator

/** 32-bit hash of (seed, index, salt): the generator's only source of randomness (random access by index). */
export function mix(seed: number, index: number, salt: number) {
  let h = (seed ^ Math.imul(index + 0x632be5ab, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

interface Kind {
  weight: number;
  verb: string;
  resource: string;
  subresource?: string;
  apiGroup?: string;
  code?: number;
  /** cluster-scoped: no namespace */
  isClusterScoped?: boolean;
  /** no name (a list or a create of a new object) */
  isUnnamed?: boolean;
}

/** What a person with kubectl does, by weight: mostly reads, some writes, a few sensitive or denied calls. */
const KINDS: Kind[] = [
  { weight: 220, verb: "get", resource: "pods" },
  { weight: 150, verb: "list", resource: "pods", isUnnamed: true },
  { weight: 80, verb: "get", resource: "deployments", apiGroup: "apps" },
  { weight: 60, verb: "list", resource: "services", isUnnamed: true },
  { weight: 40, verb: "watch", resource: "pods", isUnnamed: true },
  { weight: 60, verb: "get", resource: "configmaps" },
  { weight: 50, verb: "list", resource: "events", isUnnamed: true },
  { weight: 80, verb: "get", resource: "pods", subresource: "log" },
  { weight: 20, verb: "get", resource: "pods", code: 404 },
  { weight: 50, verb: "patch", resource: "deployments", apiGroup: "apps" },
  { weight: 30, verb: "update", resource: "configmaps" },
  { weight: 20, verb: "create", resource: "pods", isUnnamed: false },
  { weight: 30, verb: "delete", resource: "pods" },
  { weight: 20, verb: "get", resource: "secrets" },
  { weight: 10, verb: "list", resource: "secrets", isUnnamed: true },
  { weight: 20, verb: "create", resource: "pods", subresource: "exec" },
  { weight: 5, verb: "create", resource: "pods", subresource: "portforward" },
  { weight: 20, verb: "list", resource: "nodes", isClusterScoped: true, isUnnamed: true, code: 403 },
  { weight: 5, verb: "create", resource: "rolebindings", apiGroup: "rbac.authorization.k8s.io", code: 403 },
  { weight: 10, verb: "get", resource: "namespaces", isClusterScoped: true },
];
const TOTAL_WEIGHT = KINDS.reduce((sum, k) => sum + k.weight, 0);
const NAMESPACES = ["default", "payments", "orders", "checkout", "monitoring"];
const SINGULAR: Record<string, string> = {
  pods: "api",
  deployments: "api",
  configmaps: "settings",
  secrets: "db-credentials",
  services: "api",
  events: "event",
  nodes: "aks-user-vmss00000",
  namespaces: "payments",
  rolebindings: "ops-edit",
};

/** Call number `index` of a generated block: a function of (seed, index) only. */
export function generatedCall(seed: number, index: number, fromMs: number, stepMs: number): CallInput {
  let pick = mix(seed, index, 1) % TOTAL_WEIGHT;
  let kind = KINDS[0]!;
  for (const k of KINDS) {
    if (pick < k.weight) {
      kind = k;
      break;
    }
    pick -= k.weight;
  }
  const jitter = mix(seed, index, 2) / 0x1_0000_0000;
  const at = new Date(Math.floor(fromMs + (index + jitter) * stepMs));
  const namespace = kind.isClusterScoped ? undefined : NAMESPACES[mix(seed, index, 3) % NAMESPACES.length];
  const n = mix(seed, index, 4) % 8;
  const stem = SINGULAR[kind.resource] ?? kind.resource;
  const name = kind.isUnnamed
    ? undefined
    : kind.resource === "pods"
      ? `${stem}-7d9f8b6c4-${"abcdefgh"[n]}x${n}q`
      : `${stem}${n ? `-${n}` : ""}`;
  return {
    at,
    verb: kind.verb,
    resource: kind.resource,
    subresource: kind.subresource,
    namespace,
    name,
    apiGroup: kind.apiGroup,
    code: kind.code,
  };
}
