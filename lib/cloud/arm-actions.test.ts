import { describe, expect, it } from "vitest";
import { actionMatches, missingActions, permissionsAllow } from "./arm-actions";
import { ARM_ACTIONS, PROVISIONER_ROLE } from "./required-permissions";

/** Azure RBAC's matching of operations (articles/role-based-access-control/role-definitions.md). */
describe("actionMatches", () => {
  it.each([
    ["*", "Microsoft.Authorization/roleAssignments/write", true],
    ["*/read", "Microsoft.ContainerService/managedClusters/read", true],
    ["*/read", "Microsoft.Authorization/roleAssignments/write", false],
    ["Microsoft.Authorization/*/read", "Microsoft.Authorization/roleAssignmentScheduleInstances/read", true],
    ["Microsoft.Authorization/*/read", "Microsoft.ContainerService/managedClusters/read", false],
    ["Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action", true],
    ["Microsoft.Authorization/*/Write", "microsoft.authorization/roleassignments/write", true],
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/delete", false],
    [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
      false,
    ],
    ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/write/extra", false],
    ["Microsoft.Support/*", "Microsoft.SupportX/tickets/read", false],
  ])("%s matches %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe("permissionsAllow", () => {
  const contributor = {
    actions: ["*"],
    notActions: ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"],
  };
  const rbacAdministrator = {
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "*/read",
    ],
    notActions: [],
  };

  it("subtracts a role's notActions from its actions", () => {
    expect(permissionsAllow([contributor], "Microsoft.ContainerService/managedClusters/read")).toBe(true);
    expect(permissionsAllow([contributor], "Microsoft.Authorization/roleAssignments/write")).toBe(false);
  });

  it("allows what another role grants even if one role's notActions exclude it (NotActions is not a deny)", () => {
    expect(permissionsAllow([contributor, rbacAdministrator], "Microsoft.Authorization/roleAssignments/write")).toBe(
      true,
    );
  });

  it("allows nothing without a role", () => {
    expect(permissionsAllow([], "Microsoft.Authorization/roleAssignments/read")).toBe(false);
  });

  it("names what Role Based Access Control Administrator lacks for armPim, and that the provisioner role lacks nothing", () => {
    expect(missingActions([rbacAdministrator], ARM_ACTIONS.armPim)).toEqual([
      "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
      "Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action",
    ]);
    expect(missingActions([rbacAdministrator], ARM_ACTIONS.armRoleAssignment)).toEqual([]);
    const provisioner = { actions: PROVISIONER_ROLE.actions, notActions: [] };
    expect(missingActions([provisioner], [...ARM_ACTIONS.armPim, ...ARM_ACTIONS.armRoleAssignment])).toEqual([]);
  });
});
