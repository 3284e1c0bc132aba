import { describe, expect, it } from "vitest";
import { isCountedSensitive, sensitiveKinds, type CallFacts } from "./classify";
import { SENSITIVE_PREDICATE } from "./kql";
import type { SensitiveKind } from "./types";

const call = (facts: Partial<CallFacts>): CallFacts => ({
  verb: "get",
  resource: "pods",
  subresource: "",
  name: "web-1",
  apiGroup: "",
  ...facts,
});

describe("sensitiveKinds", () => {
  const rows: Array<[string, Partial<CallFacts>, SensitiveKind[]]> = [
    ["a pod read", {}, []],
    ["a secret get", { resource: "secrets" }, ["secret-read"]],
    ["a secret list", { verb: "list", resource: "secrets" }, ["secret-read"]],
    ["a secret watch", { verb: "watch", resource: "secrets" }, ["secret-read"]],
    ["a secret update", { verb: "update", resource: "secrets" }, []],
    ["an exec", { verb: "create", subresource: "exec" }, ["exec"]],
    ["an exec by get (websocket)", { verb: "get", subresource: "exec" }, ["exec"]],
    ["an attach", { verb: "create", subresource: "attach" }, ["attach"]],
    ["a port-forward", { verb: "create", subresource: "portforward" }, ["portforward"]],
    ["kubectl debug <pod>", { verb: "patch", subresource: "ephemeralcontainers" }, ["ephemeral-container"]],
    ["kubectl debug node/<node>", { verb: "create", name: "node-debugger-aks-node-1-abcde" }, ["node-debug"]],
    ["a node-debugger pod, any case (KQL startswith)", { verb: "create", name: "Node-Debugger-x" }, ["node-debug"]],
    ["another pod create", { verb: "create", name: "web-2" }, []],
    ["a delete", { verb: "delete" }, ["delete"]],
    ["a deletecollection", { verb: "deletecollection", resource: "configmaps" }, ["delete"]],
    [
      "a role binding create",
      { verb: "create", resource: "rolebindings", apiGroup: "rbac.authorization.k8s.io" },
      ["rbac-change"],
    ],
    ["a cluster role read", { verb: "get", resource: "clusterroles", apiGroup: "rbac.authorization.k8s.io" }, []],
    [
      "a cluster role binding delete",
      { verb: "delete", resource: "clusterrolebindings", apiGroup: "rbac.authorization.k8s.io" },
      ["delete", "rbac-change"],
    ],
    [
      "a webhook patch",
      { verb: "patch", resource: "validatingwebhookconfigurations", apiGroup: "admissionregistration.k8s.io" },
      ["admission-change"],
    ],
    ["a secret delete", { verb: "delete", resource: "secrets" }, ["delete"]],
  ];
  it.each(rows)("%s", (_, facts, kinds) => {
    expect(sensitiveKinds(call(facts))).toEqual(kinds);
  });

  // The KQL chooses the rows; this file names their kinds: a literal in one must be in the other.
  it.each([
    '"secrets"',
    '"get", "list", "watch"',
    '"exec", "attach", "portforward", "ephemeralcontainers"',
    '"delete", "deletecollection"',
    '"rbac.authorization.k8s.io", "admissionregistration.k8s.io"',
    '"create", "update", "patch", "delete", "deletecollection"',
    'Name startswith "node-debugger-"',
  ])("the KQL's predicate names %s, as classify does", (literal) => {
    expect(SENSITIVE_PREDICATE).toContain(literal);
  });
});

describe("isCountedSensitive (from the counts' verb, resource and subresource)", () => {
  const rows: Array<[string, { verb: string; resource: string; subresource: string }, boolean]> = [
    ["a pod list", { verb: "list", resource: "pods", subresource: "" }, false],
    ["a secret get", { verb: "get", resource: "secrets", subresource: "" }, true],
    ["an exec", { verb: "create", resource: "pods", subresource: "exec" }, true],
    ["a delete", { verb: "delete", resource: "deployments", subresource: "" }, true],
    ["a role binding create", { verb: "create", resource: "rolebindings", subresource: "" }, true],
    ["a role read", { verb: "get", resource: "roles", subresource: "" }, false],
    ["a webhook update", { verb: "update", resource: "mutatingwebhookconfigurations", subresource: "" }, true],
    ["a pod create", { verb: "create", resource: "pods", subresource: "" }, false],
  ];
  it.each(rows)("%s", (_, group, expected) => {
    expect(isCountedSensitive(group)).toBe(expected);
  });
});
