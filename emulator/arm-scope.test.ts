import { describe, expect, it } from "vitest";
import { relateScope, scopeOf } from "./arm-common";
import { DEMO_SUBSCRIPTION_ID, MANAGEMENT_GROUPS } from "./arm-seed";

/**
 * Scopes relate down Azure's hierarchy, management groups included: an assignment on the demo
 * subscription's management group is "above" its clusters, so atScope() lists it and Azure RBAC
 * inherits it (articles/role-based-access-control/scope-overview.md).
 */
const SUB = `/subscriptions/${DEMO_SUBSCRIPTION_ID}`;
const CLUSTER = `${SUB}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`;
const MG = `/providers/Microsoft.Management/managementGroups/${MANAGEMENT_GROUPS[0]!.name}`;
const OTHER_MG = "/providers/Microsoft.Management/managementGroups/mg-elsewhere";

describe("relateScope", () => {
  it.each([
    [MG, CLUSTER, "above"],
    [MG.toUpperCase(), SUB, "above"],
    [CLUSTER, MG, "below"],
    [MG, MG, "at"],
    ["/", MG, "above"],
    [SUB, CLUSTER, "above"],
    [CLUSTER, SUB, "below"],
    [OTHER_MG, CLUSTER, undefined],
    [MG, "/subscriptions/00000000-0000-0000-0000-000000000000", undefined],
  ])("%s relative to %s: %s", (item, query, relation) => {
    expect(relateScope(item, query)).toBe(relation);
  });
});

describe("scopeOf", () => {
  it("reads a management group's scope from an Authorization path", () => {
    expect(scopeOf(new URL(`https://arm${MG}/providers/Microsoft.Authorization/roleAssignments`))).toBe(MG);
  });
});
