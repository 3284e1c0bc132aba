import { describe, expect, it } from "vitest";
import type { ArmPermission } from "@/lib/cloud/arm-actions";
import { permissionsAllowData, roleAbilities, type AbilityContext } from "./role-abilities";

/*
 * Roles as Azure defines them (MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/
 * containers.md, compute.md, privileged.md), abridged to the operations that matter here.
 */
const block = (p: Partial<ArmPermission>): ArmPermission => ({
  actions: p.actions ?? [],
  notActions: p.notActions ?? [],
  dataActions: p.dataActions ?? [],
  notDataActions: p.notDataActions ?? [],
});
const OWNER = [block({ actions: ["*"] })];
const CONTRIBUTOR = [block({ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete"] })];
const READER = [block({ actions: ["*/read"] })];
const RBAC_CLUSTER_ADMIN = [
  block({
    actions: ["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
    dataActions: ["Microsoft.ContainerService/managedClusters/*"],
  }),
];
const RBAC_ADMIN = [
  block({
    dataActions: ["Microsoft.ContainerService/managedClusters/*"],
    notDataActions: [
      "Microsoft.ContainerService/managedClusters/resourcequotas/write",
      "Microsoft.ContainerService/managedClusters/namespaces/write",
    ],
  }),
];
const RBAC_WRITER = [
  block({
    dataActions: [
      "Microsoft.ContainerService/managedClusters/apps/deployments/*",
      "Microsoft.ContainerService/managedClusters/secrets/*",
    ],
  }),
];
const CLUSTER_ADMIN_ROLE = [
  block({
    actions: [
      "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
      "Microsoft.ContainerService/managedClusters/runcommand/action",
    ],
  }),
];
const VM_USER_LOGIN = [block({ dataActions: ["Microsoft.Compute/virtualMachines/login/action"] })];
const VM_ADMIN_LOGIN = [block({ dataActions: ["Microsoft.Compute/virtualMachines/loginAsAdmin/action"] })];
const CUSTOM_WILDCARD = [block({ actions: ["microsoft.containerservice/*"] })];
const CUSTOM_NOT_ACTIONS = [
  block({
    actions: ["Microsoft.ContainerService/managedClusters/*"],
    notActions: [
      "Microsoft.ContainerService/managedClusters/runCommand/action",
      "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
    ],
  }),
];
const DATA_NOT_ACTIONS = [
  block({
    dataActions: ["Microsoft.ContainerService/managedClusters/*"],
    notDataActions: ["Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*"],
  }),
];
// NotActions are not deny: a second block that allows the operation allows it.
const TWO_BLOCKS = [
  ...CUSTOM_NOT_ACTIONS,
  block({ actions: ["Microsoft.ContainerService/managedClusters/runCommand/action"] }),
];

const secure: AbilityContext = {
  appliesToCluster: true,
  appliesToNodes: true,
  areLocalAccountsDisabled: true,
  isAzureRbac: true,
};
const localOn = { ...secure, areLocalAccountsDisabled: false };
const rbacOff = { ...secure, isAzureRbac: false };
const clusterOnly = { ...secure, appliesToNodes: false };
const nodesOnly = { ...secure, appliesToCluster: false };

describe("roleAbilities", () => {
  it.each([
    ["Owner, local accounts off", OWNER, secure, ["clusterRunCommand", "nodeRunCommand"]],
    ["Owner, local accounts on", OWNER, localOn, ["adminCredentials", "clusterRunCommand", "nodeRunCommand"]],
    [
      "Contributor (its notActions leave AKS alone)",
      CONTRIBUTOR,
      localOn,
      ["adminCredentials", "clusterRunCommand", "nodeRunCommand"],
    ],
    ["Reader", READER, localOn, []],
    ["RBAC Cluster Admin", RBAC_CLUSTER_ADMIN, secure, ["clusterAdmin"]],
    ["RBAC Cluster Admin without Azure RBAC", RBAC_CLUSTER_ADMIN, rbacOff, []],
    ["RBAC Cluster Admin on the node resource group only", RBAC_CLUSTER_ADMIN, nodesOnly, []],
    ["RBAC Admin (notDataActions spare role bindings)", RBAC_ADMIN, secure, ["clusterAdmin"]],
    ["RBAC Writer", RBAC_WRITER, secure, []],
    ["Cluster Admin Role, local accounts off", CLUSTER_ADMIN_ROLE, secure, ["clusterRunCommand"]],
    ["Cluster Admin Role, local accounts on", CLUSTER_ADMIN_ROLE, localOn, ["adminCredentials", "clusterRunCommand"]],
    ["VM User Login", VM_USER_LOGIN, secure, ["nodeLogin"]],
    ["VM Administrator Login", VM_ADMIN_LOGIN, secure, ["nodeLogin"]],
    ["VM User Login above the cluster only", VM_USER_LOGIN, clusterOnly, []],
    [
      "custom `microsoft.containerservice/*` (case-insensitive)",
      CUSTOM_WILDCARD,
      localOn,
      ["adminCredentials", "clusterRunCommand"],
    ],
    ["custom with notActions", CUSTOM_NOT_ACTIONS, localOn, []],
    ["custom with notDataActions on role bindings", DATA_NOT_ACTIONS, secure, []],
    ["notActions in one block, allowed by another", TWO_BLOCKS, secure, ["clusterRunCommand"]],
  ] as const)("%s", (_, permissions, context, expected) => {
    expect(roleAbilities(permissions, context)).toEqual(expected);
  });
});

describe("permissionsAllowData", () => {
  it("never takes a data action from Actions", () => {
    expect(permissionsAllowData(OWNER, "Microsoft.Compute/virtualMachines/login/action")).toBe(false);
  });
  it("matches data actions case-insensitively", () => {
    expect(permissionsAllowData(VM_USER_LOGIN, "microsoft.compute/VIRTUALMACHINES/login/action")).toBe(true);
  });
});
