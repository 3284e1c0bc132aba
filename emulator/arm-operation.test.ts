import { describe, expect, it } from "vitest";
import { armOperationOf } from "./arm-common";

/** The action and scope Azure RBAC checks for each request the emulator serves. */
const CLUSTER = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1";
const AUTHZ = `${CLUSTER}/providers/Microsoft.Authorization`;

describe("armOperationOf", () => {
  it.each([
    [
      "PUT",
      `${AUTHZ}/roleAssignments/ra1`,
      "Microsoft.Authorization/roleAssignments/write",
      `${AUTHZ}/roleAssignments/ra1`,
    ],
    [
      "DELETE",
      `${AUTHZ}/roleAssignments/ra1`,
      "Microsoft.Authorization/roleAssignments/delete",
      `${AUTHZ}/roleAssignments/ra1`,
    ],
    [
      "GET",
      `${AUTHZ}/roleAssignments/ra1`,
      "Microsoft.Authorization/roleAssignments/read",
      `${AUTHZ}/roleAssignments/ra1`,
    ],
    ["GET", `${AUTHZ}/roleAssignments`, "Microsoft.Authorization/roleAssignments/read", CLUSTER],
    [
      "PUT",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1`,
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1`,
    ],
    [
      "POST",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1/cancel`,
      "Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1`,
    ],
    [
      "POST",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1/validate`,
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
      `${AUTHZ}/roleAssignmentScheduleRequests/r1`,
    ],
    [
      "GET",
      `${AUTHZ}/roleAssignmentScheduleInstances`,
      "Microsoft.Authorization/roleAssignmentScheduleInstances/read",
      CLUSTER,
    ],
    ["GET", `${AUTHZ}/roleAssignmentSchedules`, "Microsoft.Authorization/roleAssignmentSchedules/read", CLUSTER],
    [
      "GET",
      `${AUTHZ}/roleEligibilityScheduleInstances`,
      "Microsoft.Authorization/roleEligibilityScheduleInstances/read",
      CLUSTER,
    ],
    [
      "GET",
      "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions",
      "Microsoft.Authorization/roleDefinitions/read",
      "/subscriptions/s1",
    ],
    [
      "GET",
      "/providers/Microsoft.Authorization/roleDefinitions/d1",
      "Microsoft.Authorization/roleDefinitions/read",
      "/providers/Microsoft.Authorization/roleDefinitions/d1",
    ],
    [
      "GET",
      "/subscriptions/s1/providers/Microsoft.ContainerService/managedClusters",
      "Microsoft.ContainerService/managedClusters/read",
      "/subscriptions/s1",
    ],
    ["GET", CLUSTER, "Microsoft.ContainerService/managedClusters/read", CLUSTER],
    ["GET", `${CLUSTER}/agentPools`, "Microsoft.ContainerService/managedClusters/agentPools/read", CLUSTER],
    [
      "GET",
      `${CLUSTER}/agentPools/p1`,
      "Microsoft.ContainerService/managedClusters/agentPools/read",
      `${CLUSTER}/agentPools/p1`,
    ],
    ["GET", `${AUTHZ}/permissions`, undefined, CLUSTER],
  ])("%s %s is %s over %s", (method, path, action, scope) => {
    expect(armOperationOf(method, path)).toMatchObject({ action, scope });
  });

  it("has no operation outside a provider (Microsoft.Resources itself)", () => {
    expect(armOperationOf("GET", "/subscriptions/s1/resourceGroups/rg1")).toBeUndefined();
  });
});
