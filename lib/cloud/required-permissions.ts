/**
 * What the app's own identity needs in a tenant, in one place: the README, the demo tenant
 * (emulator/tenant.json), the Terraform module, `npm run doctor` and the providers' error messages
 * all follow this table. No imports: the emulator, scripts and the app can all read it.
 *
 * Graph permissions are *application* permissions granted with admin consent (app-only tokens carry
 * them in the `roles` claim). ARM actions are what the app's service principal must hold on each
 * cluster and node resource group its catalog grants at.
 */

export type GrantKind = "entraPimGroup" | "entraGroup" | "armPim" | "armRoleAssignment";

/** A Graph application permission, by its `value` (e.g. "User.Read.All"). */
export type GraphPermission =
  | "User.Read.All"
  | "GroupMember.Read.All"
  | "GroupMember.ReadWrite.All"
  | "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup"
  | "PrivilegedEligibilitySchedule.Read.AzureADGroup"
  | "RoleManagementPolicy.Read.AzureADGroup"
  | "User.RevokeSessions.All"
  | "Mail.Send"
  | "Application.Read.All"
  | "AuditLog.Read.All";

export interface GraphPermissionNeed {
  permission: GraphPermission;
  /** what the app does with it, in the words a tenant admin reads */
  why: string;
  /** when it is needed: always, for a grant kind, or for an optional feature */
  when: "always" | GrantKind | "mail" | "endSessions" | "doctor";
}

export const GRAPH_PERMISSIONS: readonly GraphPermissionNeed[] = [
  { permission: "User.Read.All", why: "read the people it notifies and grants access to", when: "always" },
  {
    permission: "GroupMember.Read.All",
    why: "check approvers' group membership live when they decide, and list approver groups",
    when: "always",
  },
  {
    permission: "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    why: "assign, extend and remove time-bound PIM group memberships",
    when: "entraPimGroup",
  },
  {
    permission: "PrivilegedEligibilitySchedule.Read.AzureADGroup",
    why: "check that requester groups are eligible for the PIM groups (doctor)",
    when: "entraPimGroup",
  },
  {
    permission: "RoleManagementPolicy.Read.AzureADGroup",
    why: "read each PIM group's policy: maximum duration, justification and ticket rules (doctor)",
    when: "entraPimGroup",
  },
  { permission: "GroupMember.ReadWrite.All", why: "add and remove plain group members", when: "entraGroup" },
  {
    permission: "User.RevokeSessions.All",
    why: "sign people out when their access is revoked or ends (roles with endSessions)",
    when: "endSessions",
  },
  { permission: "Mail.Send", why: "mail notifications from NOTIFY_MAIL_SENDER", when: "mail" },
  {
    permission: "Application.Read.All",
    why: "let `npm run doctor` read the app registration and its granted permissions, and name service principals in the standing-access map",
    when: "doctor",
  },
  // Issue 19: node sign-ins (`az ssh vm` to the Azure Linux VM Sign-In application) in each grant's
  // activity summary, from GET /auditLogs/signIns (https://learn.microsoft.com/graph/api/signin-list).
  // Every grant is summarised after it ends, whatever its kind: always needed.
  {
    permission: "AuditLog.Read.All",
    why: "read the holders' node sign-ins (Entra sign-in logs) for each grant's activity summary",
    when: "always",
  },
];

/** Delegated permission asked at sign-in (groups overage: /me/transitiveMemberOf). */
export const SIGN_IN_DELEGATED_PERMISSIONS = ["User.Read"] as const;

/** ID token optional claims step-up needs on the app registration (Token configuration). */
export const REQUIRED_ID_TOKEN_OPTIONAL_CLAIMS = ["auth_time", "acrs"] as const;

/** ARM actions the app's service principal needs at a grant's scope, per grant kind. */
export const ARM_ACTIONS: Record<"armPim" | "armRoleAssignment", readonly string[]> = {
  armPim: [
    "Microsoft.Authorization/roleAssignmentScheduleRequests/write",
    "Microsoft.Authorization/roleAssignmentScheduleRequests/read",
    "Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action",
    "Microsoft.Authorization/roleAssignmentScheduleInstances/read",
    "Microsoft.Authorization/roleAssignmentSchedules/read",
  ],
  armRoleAssignment: [
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleAssignments/delete",
    "Microsoft.Authorization/roleAssignments/read",
  ],
};

/**
 * The least-privileged custom role the README and the Terraform module create for the app: both ARM
 * grant kinds, reading role definitions and policies, and reading the clusters themselves. The
 * built-in "Role Based Access Control Administrator" is enough for `armRoleAssignment` only: it
 * lacks `roleAssignmentScheduleRequests/write`, so `armPim` would get 403 AuthorizationFailed.
 * "User Access Administrator" (`Microsoft.Authorization/*`) covers both, with much more.
 */
export const PROVISIONER_ROLE = {
  /** fixed in the emulator's demo tenant; Terraform lets Azure choose */
  id: "6f1e8a8c-3b0a-4d3c-9a6e-2f7c1d5b9e41",
  roleName: "AKS JIT Access Provisioner",
  description:
    "Lets AKS JIT grant and remove time-bound Azure role assignments on AKS clusters and node resource groups.",
  actions: [
    ...ARM_ACTIONS.armPim,
    ...ARM_ACTIONS.armRoleAssignment,
    "Microsoft.Authorization/roleDefinitions/read",
    "Microsoft.Authorization/roleManagementPolicies/read",
    "Microsoft.Authorization/roleManagementPolicyAssignments/read",
    "Microsoft.ContainerService/managedClusters/read",
    "Microsoft.ContainerService/managedClusters/agentPools/read",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    // Issue 19: which Log Analytics workspace a cluster's audit logs go to (its diagnostic settings),
    // for the activity summaries (https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/list).
    "Microsoft.Insights/diagnosticSettings/read",
  ],
} as const;
