import { describe, expect, it } from "vitest";
import { assembleStandingAccess, scopeLevelOf, type AbleAssignment, type StandingInputs } from "./standing-map";

const SUB = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333";
const CLUSTER = `${SUB}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`;
const NODES = `${SUB}/resourceGroups/MC_rg-aks-prod_aks-prod-weu_westeurope`;
const scopes = { clusterResourceId: CLUSTER, nodeResourceGroupId: NODES };
const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";

const assignment = (over: Partial<AbleAssignment>): AbleAssignment => ({
  id: `${CLUSTER}/providers/Microsoft.Authorization/roleAssignments/${over.principalId ?? "x"}`,
  scope: CLUSTER,
  roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`,
  roleName: "Azure Kubernetes Service RBAC Cluster Admin",
  principalId: "u1",
  principalType: "User",
  createdOn: "2026-01-01T00:00:00.000Z",
  abilities: ["clusterAdmin"],
  ...over,
});
const user = (id: string, name: string) => ({
  id,
  type: "User" as const,
  displayName: name,
  userPrincipalName: `${id}@contoso.com`,
});
const inputs = (over: Partial<StandingInputs>): StandingInputs => ({
  scopes,
  assignments: [],
  groups: new Map(),
  names: new Map(),
  adminGroupIds: [],
  heldGrants: new Set(),
  appPrincipalId: "app",
  ...over,
});

describe("scopeLevelOf", () => {
  it.each([
    [CLUSTER, "cluster"],
    [CLUSTER.toLowerCase(), "cluster"],
    [`${SUB}/resourceGroups/rg-aks-prod`, "resourceGroup"],
    [NODES, "nodeResourceGroup"],
    [`${NODES}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-user-1`, "nodeResourceGroup"],
    [SUB, "subscription"],
    ["/providers/Microsoft.Management/managementGroups/mg-platform", "managementGroup"],
    ["/", "managementGroup"],
  ] as const)("%s is at the %s level", (scope, level) => {
    expect(scopeLevelOf(scope, scopes)).toBe(level);
  });
});

describe("assembleStandingAccess", () => {
  it("lists a direct user with the assignment's path and names", () => {
    const map = assembleStandingAccess(
      inputs({
        assignments: [assignment({})],
        names: new Map([["u1", { displayName: "Omar", userPrincipalName: "u1@contoso.com" }]]),
      }),
    );
    expect(map.principals).toEqual([
      {
        principalId: "u1",
        principalType: "User",
        displayName: "Omar",
        userPrincipalName: "u1@contoso.com",
        paths: [
          expect.objectContaining({
            kind: "roleAssignment",
            scopeLevel: "cluster",
            viaGroup: null,
            since: "2026-01-01T00:00:00.000Z",
          }),
        ],
      },
    ]);
    expect(map.explainedByGrants).toBe(0);
  });

  it("expands a group to its members, each through the group, and an empty group shows as itself", () => {
    const map = assembleStandingAccess(
      inputs({
        assignments: [
          assignment({ principalId: "g1", principalType: "Group", scope: NODES, abilities: ["nodeLogin"] }),
          assignment({ principalId: "g2", principalType: "Group" }),
        ],
        groups: new Map([
          ["g1", { displayName: "platform-oncall", members: [user("u2", "Lena"), user("u3", "Kenji")] }],
          ["g2", { displayName: "empty", members: [] }],
        ]),
      }),
    );
    expect(
      map.principals.map((p) => [p.displayName, p.principalType, p.paths[0]!.viaGroup?.displayName ?? null]),
    ).toEqual([
      ["empty", "Group", null],
      ["Kenji", "User", "platform-oncall"],
      ["Lena", "User", "platform-oncall"],
    ]);
    expect(map.principals[1]!.paths[0]!.scopeLevel).toBe("nodeResourceGroup");
  });

  it("lists the members of aadProfile.adminGroupObjectIDs as cluster admins", () => {
    const map = assembleStandingAccess(
      inputs({
        adminGroupIds: ["G3"],
        groups: new Map([["g3", { displayName: "aks-admins", members: [user("u4", "Ivan")] }]]),
      }),
    );
    expect(map.principals[0]!.paths).toEqual([
      expect.objectContaining({
        kind: "adminGroup",
        abilities: ["clusterAdmin"],
        viaGroup: { id: "g3", displayName: "aks-admins" },
      }),
    ]);
  });

  it("counts what an active grant explains instead of listing it, for a role we assign and a group we grant", () => {
    const map = assembleStandingAccess(
      inputs({
        assignments: [
          assignment({
            principalId: "u5",
            roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${RBAC_ADMIN}`,
          }),
          assignment({ principalId: "g1", principalType: "Group" }),
        ],
        groups: new Map([["g1", { displayName: "admin", members: [user("u5", "Nadia"), user("u6", "Noah")] }]]),
        heldGrants: new Set([`u5|armroleassignment:${RBAC_ADMIN}:${CLUSTER.toLowerCase()}`, "u5|entrapimgroup:g1"]),
      }),
    );
    expect(map.principals.map((p) => p.principalId)).toEqual(["u6"]);
    expect(map.explainedByGrants).toBe(2);
  });

  it("keeps a grant holder's other, unexplained way in", () => {
    const map = assembleStandingAccess(
      inputs({
        assignments: [
          assignment({ principalId: "u5", roleDefinitionId: RBAC_ADMIN }),
          assignment({ id: "other", principalId: "u5", scope: SUB, abilities: ["clusterRunCommand"] }),
        ],
        heldGrants: new Set([`u5|armroleassignment:${RBAC_ADMIN}:${CLUSTER.toLowerCase()}`]),
      }),
    );
    expect(map.principals[0]!.paths.map((p) => p.scopeLevel)).toEqual(["subscription"]);
    expect(map.explainedByGrants).toBe(1);
  });

  it("puts the app's own identity apart", () => {
    const map = assembleStandingAccess(
      inputs({ assignments: [assignment({ principalId: "app", principalType: "ServicePrincipal" })] }),
    );
    expect(map.principals).toEqual([]);
    expect(map.appIdentity.map((p) => p.principalId)).toEqual(["app"]);
  });
});
