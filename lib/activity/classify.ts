import type { SensitiveKind } from "./types";

/*
 * Which SENSITIVE_KINDS a Kubernetes call is: the same rule as kql.ts SENSITIVE_PREDICATE, which
 * chooses the rows listed one by one (classify.test.ts holds the two together). Pure.
 *
 * KQL's `==` and `in` are case-sensitive and `startswith` is not
 * (https://learn.microsoft.com/kusto/query/datatypes-string-operators), so only the pod name is
 * compared without case.
 */

export interface CallFacts {
  verb: string;
  resource: string;
  subresource: string;
  name: string;
  apiGroup: string;
}

const READS = new Set(["get", "list", "watch"]);
const DELETES = new Set(["delete", "deletecollection"]);
const WRITES = new Set(["create", "update", "patch", "delete", "deletecollection"]);
const SUBRESOURCE_KINDS: Record<string, SensitiveKind> = {
  exec: "exec",
  attach: "attach",
  portforward: "portforward",
  ephemeralcontainers: "ephemeral-container",
};

/** The sensitive kinds of one listed call, in SENSITIVE_KINDS order; [] when it is listed only as denied or after the end. */
export function sensitiveKinds(call: CallFacts): SensitiveKind[] {
  const kinds: SensitiveKind[] = [];
  if (call.resource === "secrets" && READS.has(call.verb)) kinds.push("secret-read");
  const subresourceKind = SUBRESOURCE_KINDS[call.subresource];
  if (subresourceKind) kinds.push(subresourceKind);
  if (isNodeDebugPod(call)) kinds.push("node-debug");
  if (DELETES.has(call.verb)) kinds.push("delete");
  if (call.apiGroup === "rbac.authorization.k8s.io" && WRITES.has(call.verb)) kinds.push("rbac-change");
  if (call.apiGroup === "admissionregistration.k8s.io" && WRITES.has(call.verb)) kinds.push("admission-change");
  return kinds;
}

/** `kubectl debug node/<node>` creates a pod named node-debugger-<node>-<suffix>. */
function isNodeDebugPod(call: CallFacts) {
  return call.resource === "pods" && call.verb === "create" && call.name.toLowerCase().startsWith("node-debugger-");
}

const RBAC_RESOURCES = new Set(["roles", "rolebindings", "clusterroles", "clusterrolebindings"]);
const ADMISSION_RESOURCES = new Set([
  "mutatingwebhookconfigurations",
  "validatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
]);

/**
 * Whether a group of counted calls is sensitive, from what the counts carry (verb, resource,
 * subresource: countsQuery groups by no API group or name). RBAC and admission writes are known by
 * their resources, which only those API groups serve; a node-debugger pod is a pod create like any
 * other here, so the summary counts those from the listed calls (summarise.ts).
 */
export function isCountedSensitive(group: { verb: string; resource: string; subresource: string }): boolean {
  if (group.resource === "secrets" && READS.has(group.verb)) return true;
  if (group.subresource in SUBRESOURCE_KINDS) return true;
  if (DELETES.has(group.verb)) return true;
  return (RBAC_RESOURCES.has(group.resource) || ADMISSION_RESOURCES.has(group.resource)) && WRITES.has(group.verb);
}

/** get/list/watch on secrets: only AKSAudit records them. */
export function isSecretRead(group: { verb: string; resource: string }): boolean {
  return group.resource === "secrets" && READS.has(group.verb);
}

/**
 * Refused by the API server (authentication, authorization, admission) or otherwise failed: the
 * listed query lists every call with Code >= 400, and each of them is flagged so.
 */
export const isDeniedCode = (code: number) => code >= 400;
