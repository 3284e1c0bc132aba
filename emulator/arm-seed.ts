/* What the ARM emulator knows before anyone calls it: the demo subscription, its two AKS clusters
 * (matching jit.catalog.yaml) and the role definitions of azure-contracts.md B.6 plus those the
 * emulator's Azure RBAC enforcement evaluates. Names, GUIDs and descriptions follow MicrosoftDocs/azure-docs
 * articles/role-based-access-control/built-in-roles/. The roles that authorize ARM calls (Owner,
 * Contributor, Reader, User Access Administrator, Role Based Access Control Administrator: built-in-roles/
 * privileged.md and general.md) carry their real actions and notActions; the AKS and VM roles, only ever
 * granted by AKS JIT, are abridged to the actions that matter here. */
import { PROVISIONER_ROLE } from "../lib/cloud/required-permissions";

export interface SeedSubscription {
  subscriptionId: string;
  displayName: string;
}

export interface SeedAgentPool {
  name: string;
  mode: "System" | "User";
  count: number;
  vmSize: string;
  osSKU: string;
  availabilityZones: string[];
}

export interface SeedCluster {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kubernetesVersion: string;
  dnsPrefix: string;
  nodeResourceGroup: string;
  tags: Record<string, string>;
  agentPools: SeedAgentPool[];
}

export interface SeedRolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface SeedRoleDefinition {
  /** the role definition's GUID (its ARM `name`) */
  name: string;
  roleName: string;
  /** BuiltInRole unless said otherwise */
  roleType?: "BuiltInRole" | "CustomRole";
  description: string;
  permissions: SeedRolePermission[];
}

export const DEMO_SUBSCRIPTION_ID = "0b1f6471-1bf0-4dda-aec3-111122223333";

export const SUBSCRIPTIONS: SeedSubscription[] = [
  { subscriptionId: DEMO_SUBSCRIPTION_ID, displayName: "Contoso Platform (demo)" },
];

export interface SeedManagementGroup {
  /** the management group's id (its ARM `name`): `/providers/Microsoft.Management/managementGroups/{name}` */
  name: string;
  displayName: string;
  /** the subscriptions directly under it */
  subscriptions: string[];
}

/** Where the demo subscription sits: role assignments made on this group reach every scope in it. */
export const MANAGEMENT_GROUPS: SeedManagementGroup[] = [
  { name: "mg-contoso-platform", displayName: "Contoso Platform", subscriptions: [DEMO_SUBSCRIPTION_ID] },
];

const pools = (zones: string[]): SeedAgentPool[] => [
  {
    name: "system",
    mode: "System",
    count: 3,
    vmSize: "Standard_D4ds_v5",
    osSKU: "AzureLinux",
    availabilityZones: zones,
  },
  { name: "user", mode: "User", count: 3, vmSize: "Standard_D8ds_v5", osSKU: "AzureLinux", availabilityZones: zones },
];

export const CLUSTERS: SeedCluster[] = [
  {
    subscriptionId: DEMO_SUBSCRIPTION_ID,
    resourceGroup: "rg-aks-prod",
    name: "aks-prod-weu",
    location: "westeurope",
    kubernetesVersion: "1.32.5",
    dnsPrefix: "aks-prod-weu",
    nodeResourceGroup: "MC_rg-aks-prod_aks-prod-weu_westeurope",
    tags: { environment: "production" },
    agentPools: pools(["1", "2", "3"]),
  },
  {
    subscriptionId: DEMO_SUBSCRIPTION_ID,
    resourceGroup: "rg-aks-dev",
    name: "aks-dev-weu",
    location: "westeurope",
    kubernetesVersion: "1.33.1",
    dnsPrefix: "aks-dev-weu",
    nodeResourceGroup: "MC_rg-aks-dev_aks-dev-weu_westeurope",
    tags: { environment: "development" },
    agentPools: pools([]),
  },
];

const ARM_READS = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Resources/subscriptions/operationresults/read",
  "Microsoft.Resources/subscriptions/read",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
];
const permission = (p: Partial<SeedRolePermission>): SeedRolePermission[] => [
  { actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: [] },
];
const VM_READS = [
  "Microsoft.Network/publicIPAddresses/read",
  "Microsoft.Network/virtualNetworks/read",
  "Microsoft.Network/loadBalancers/read",
  "Microsoft.Network/networkInterfaces/read",
  "Microsoft.Compute/virtualMachines/*/read",
];

export const ROLE_DEFINITIONS: SeedRoleDefinition[] = [
  {
    name: "3498e952-d568-435e-9b2c-8d77e338d7f7",
    roleName: "Azure Kubernetes Service RBAC Admin",
    description:
      "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
    permissions: permission({
      actions: [...ARM_READS, "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
      dataActions: ["Microsoft.ContainerService/managedClusters/*"],
    }),
  },
  {
    name: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    roleName: "Azure Kubernetes Service RBAC Reader",
    description: "Allows read-only access to see most objects in a namespace.",
    permissions: permission({
      actions: ARM_READS,
      dataActions: [
        "Microsoft.ContainerService/managedClusters/apps/deployments/read",
        "Microsoft.ContainerService/managedClusters/pods/read",
        "Microsoft.ContainerService/managedClusters/services/read",
      ],
    }),
  },
  {
    name: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    roleName: "Azure Kubernetes Service RBAC Writer",
    description: "Allows read/write access to most objects in a namespace.",
    permissions: permission({
      actions: ARM_READS,
      dataActions: ["Microsoft.ContainerService/managedClusters/apps/deployments/*"],
    }),
  },
  {
    name: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    roleName: "Azure Kubernetes Service RBAC Cluster Admin",
    description: "Lets you manage all resources in the cluster.",
    permissions: permission({
      actions: [...ARM_READS, "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
      dataActions: ["Microsoft.ContainerService/managedClusters/*"],
    }),
  },
  {
    name: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    roleName: "Azure Kubernetes Service Cluster User Role",
    description: "List cluster user credential action.",
    permissions: permission({
      actions: [
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        "Microsoft.ContainerService/managedClusters/read",
      ],
    }),
  },
  {
    name: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    roleName: "Azure Kubernetes Service Cluster Admin Role",
    description: "List cluster admin credential action.",
    permissions: permission({
      actions: [
        "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
        "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
        "Microsoft.ContainerService/managedClusters/read",
        "Microsoft.ContainerService/managedClusters/runcommand/action",
      ],
    }),
  },
  {
    name: "fb879df8-f326-4884-b1cf-06f3ad86be52",
    roleName: "Virtual Machine User Login",
    description: "View Virtual Machines in the portal and login as a regular user.",
    permissions: permission({ actions: VM_READS, dataActions: ["Microsoft.Compute/virtualMachines/login/action"] }),
  },
  {
    name: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
    roleName: "Virtual Machine Administrator Login",
    description: "View Virtual Machines in the portal and login as administrator",
    permissions: permission({
      actions: VM_READS,
      dataActions: [
        "Microsoft.Compute/virtualMachines/login/action",
        "Microsoft.Compute/virtualMachines/loginAsAdmin/action",
      ],
    }),
  },
  {
    name: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: permission({ actions: ["*/read"] }),
  },
  {
    name: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: permission({
      actions: ["*"],
      notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    }),
  },
  {
    name: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: permission({ actions: ["*"] }),
  },
  {
    // Everything in Microsoft.Authorization: role assignments and PIM schedule requests alike.
    name: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    permissions: permission({ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }),
  },
  {
    // roleAssignments/write|delete but not roleAssignmentScheduleRequests/write: enough for armRoleAssignment,
    // not for armPim. Azure's definition also carries a condition limiting which roles it may assign
    // (built-in-roles/privileged.md, "Role Based Access Control Administrator"); the emulator models
    // the actions only, so that condition is not enforced.
    name: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    description:
      "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    permissions: permission({
      actions: [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
      ],
    }),
  },
  {
    // A custom role with wildcards (articles/role-based-access-control/role-definitions.md, "Wildcard
    // permissions"): everything of AKS, the runCommand and admin credential actions included, and every
    // Kubernetes data action. The standing-access seed (seeds/standing-access.json) assigns it.
    name: "2540de8f-56f6-429b-817a-2546a4804c7c",
    roleName: "Contoso AKS Operator",
    roleType: "CustomRole",
    description: "Operates the AKS clusters: every ContainerService action and Kubernetes data action.",
    permissions: [
      {
        actions: ["Microsoft.ContainerService/*", "Microsoft.Resources/subscriptions/resourceGroups/read"],
        notActions: [],
        dataActions: ["Microsoft.ContainerService/managedClusters/*"],
        notDataActions: [],
      },
    ],
  },
  {
    // A custom role whose NotActions take away what its wildcard would give: manages the cluster
    // resource, but neither runs commands in it nor lists its admin credential, and has no data actions.
    name: "522ecffe-2cb0-4f74-b3b9-2ee02b9746d9",
    roleName: "Contoso AKS Maintainer (no admin)",
    roleType: "CustomRole",
    description: "Manages the AKS cluster resources (upgrades, scaling) without access to the Kubernetes API.",
    permissions: permission({
      actions: ["Microsoft.ContainerService/managedClusters/*"],
      notActions: [
        "Microsoft.ContainerService/managedClusters/runCommand/action",
        "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
      ],
    }),
  },
  {
    // built-in-roles/monitor.md#log-analytics-reader: every read, and queries on any table through
    // */read (Microsoft.OperationalInsights/workspaces/query/read, .../query/{table}/read), but not the
    // workspace's shared keys.
    name: "73c42c96-874c-492b-b04d-ab87d138a893",
    roleName: "Log Analytics Reader",
    description:
      "Log Analytics Reader can view and search all monitoring data as well as and view monitoring settings, including viewing the configuration of Azure diagnostics on all Azure resources.",
    permissions: permission({
      actions: [
        "*/read",
        "Microsoft.OperationalInsights/workspaces/analytics/query/action",
        "Microsoft.OperationalInsights/workspaces/search/action",
        "Microsoft.Support/*",
      ],
      notActions: ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
    }),
  },
  {
    // The custom role the README and deploy/terraform create for the app (lib/cloud/required-permissions.ts),
    // under the fixed GUID the demo tenant assigns.
    name: PROVISIONER_ROLE.id,
    roleName: PROVISIONER_ROLE.roleName,
    roleType: "CustomRole",
    description: PROVISIONER_ROLE.description,
    permissions: permission({ actions: [...PROVISIONER_ROLE.actions] }),
  },
];
