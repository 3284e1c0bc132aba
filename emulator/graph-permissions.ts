/* Which Microsoft Graph permissions each Graph route the emulator serves needs, as Graph enforces
 * them: one row per route (method + the route's path template, exactly as registered), each with the
 * application permissions (app-only tokens) and delegated permissions (user tokens, `scp`) any one of
 * which allows the call, least privileged first, then the higher ones Microsoft lists. Taken from the
 * "Permissions" table of each endpoint's page in microsoftgraph/microsoft-graph-docs-contrib
 * (api-reference/v1.0/api/<page>.md, or its include api-reference/v1.0/includes/permissions/<page>-permissions.md),
 * cited per row. `authenticated()` (graph.ts) applies it to every Graph route; a route without a row
 * is refused with a 500 that names it, so nothing is served unguarded. */
import type { JWTPayload } from "jose";

/** One permission, or several that are needed together (a doc's "A and B"). */
export type PermissionGrant = string | readonly string[];

export interface GraphPermissionRow {
  method: string;
  /** the route's path template, as passed to router.on */
  route: string;
  /**
   * Application permissions, any one of which allows the call; `null` where Graph supports no app-only
   * access on this path (`/me/...`): the handler answers app tokens itself, as Graph does.
   */
  application: readonly PermissionGrant[] | null;
  /** Delegated permissions (`scp`), any one of which allows the call. */
  delegated: readonly PermissionGrant[];
  /** the doc page the row comes from */
  doc: string;
}

const API = "microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api";
const PIM = "/v1.0/identityGovernance/privilegedAccess/group";

// Rows that share a doc page.
const USER_READ = {
  application: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  // User.Read reads the signed-in user only; Graph's doc lists the others as higher.
  delegated: [
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  doc: `${API}/user-get.md`,
};
const TRANSITIVE_MEMBER_OF = {
  application: [
    "User.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
  ],
  delegated: [
    "User.Read",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
    "User.Read.All",
  ],
  doc: `${API}/user-list-transitivememberof.md`,
};
const MEMBERS_WRITE = ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"];
// The doc (2024) lists User.RevokeSessions.All alone for application access ("Not available" as higher);
// its earlier revisions listed User.ReadWrite.All and Directory.ReadWrite.All, which still work.
const REVOKE_SESSIONS = {
  application: ["User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  delegated: ["User.RevokeSessions.All", "Directory.ReadWrite.All", "User.ReadWrite.All"],
  doc: `${API}/user-revokesigninsessions.md`,
};
const SEND_MAIL = { application: ["Mail.Send"], delegated: ["Mail.Send"], doc: `${API}/user-sendmail.md` };
// PIM for Groups (resources/privilegedidentitymanagement-for-groups-api-overview.md, "Permissions and
// privileges"; the same for delegated and application access on each list/get/create page).
const PIM_ASSIGNMENTS_READ = [
  "PrivilegedAssignmentSchedule.Read.AzureADGroup",
  "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
];
const PIM_ASSIGNMENTS_WRITE = ["PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup"];
const PIM_ELIGIBILITY_READ = [
  "PrivilegedEligibilitySchedule.Read.AzureADGroup",
  "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
];
const PIM_POLICY_READ = ["RoleManagementPolicy.Read.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup"];
const APP_READ = ["Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"];

const both = (permissions: readonly PermissionGrant[], doc: string) => ({
  application: permissions,
  delegated: permissions,
  doc: `${API}/${doc}`,
});
const meOnly = (row: { delegated: readonly PermissionGrant[]; doc: string }) => ({ ...row, application: null });

export const GRAPH_PERMISSION_TABLE: readonly GraphPermissionRow[] = [
  { method: "GET", route: "/v1.0/me", ...meOnly(USER_READ) },
  // user-list.md: the same application permissions as user-get; delegated starts at User.ReadBasic.All.
  {
    method: "GET",
    route: "/v1.0/users",
    ...USER_READ,
    delegated: USER_READ.delegated.slice(2),
    doc: `${API}/user-list.md`,
  },
  { method: "GET", route: "/v1.0/users/:id", ...USER_READ },
  {
    method: "PATCH",
    route: "/v1.0/users/:id",
    // user-get.md: "User.EnableDisableAccount.All + User.Read.All is the least privileged combination
    // of permissions to read and write the accountEnabled property".
    application: ["User.ReadWrite.All", "Directory.ReadWrite.All", ["User.EnableDisableAccount.All", "User.Read.All"]],
    delegated: ["User.ReadWrite", "User.ReadWrite.All", "Directory.ReadWrite.All"],
    doc: `${API}/user-update.md`,
  },
  { method: "GET", route: "/v1.0/me/transitiveMemberOf", ...meOnly(TRANSITIVE_MEMBER_OF) },
  { method: "GET", route: "/v1.0/me/transitiveMemberOf/microsoft.graph.group", ...meOnly(TRANSITIVE_MEMBER_OF) },
  { method: "GET", route: "/v1.0/users/:id/transitiveMemberOf", ...TRANSITIVE_MEMBER_OF },
  { method: "GET", route: "/v1.0/users/:id/transitiveMemberOf/microsoft.graph.group", ...TRANSITIVE_MEMBER_OF },
  {
    method: "GET",
    route: "/v1.0/groups/:id",
    ...both(
      [
        "GroupMember.Read.All",
        "Group.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "Group.Read.All",
      ],
      "group-get.md",
    ),
  },
  {
    method: "GET",
    route: "/v1.0/groups/:id/members",
    ...both(
      [
        "GroupMember.Read.All",
        "Directory.Read.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.ReadWrite.All",
      ],
      "group-list-members.md",
    ),
  },
  {
    method: "GET",
    route: "/v1.0/groups/:id/transitiveMembers",
    ...both(
      [
        "GroupMember.ReadBasic.All",
        "Directory.Read.All",
        "Group.Read.All",
        "Group.ReadBasic.All",
        "Group.ReadWrite.All",
        "GroupMember.Read.All",
        "GroupMember.ReadWrite.All",
      ],
      "group-list-transitivemembers.md",
    ),
  },
  // Adding a user: GroupMember.ReadWrite.All (the doc's older revision also asked for User.ReadWrite.All).
  { method: "POST", route: "/v1.0/groups/:id/members/$ref", ...both(MEMBERS_WRITE, "group-post-members.md") },
  {
    method: "DELETE",
    route: "/v1.0/groups/:id/members/:memberId/$ref",
    ...both(MEMBERS_WRITE, "group-delete-members.md"),
  },
  { method: "POST", route: "/v1.0/me/revokeSignInSessions", ...meOnly(REVOKE_SESSIONS) },
  { method: "POST", route: "/v1.0/users/:id/revokeSignInSessions", ...REVOKE_SESSIONS },
  { method: "POST", route: "/v1.0/me/sendMail", ...meOnly(SEND_MAIL) },
  { method: "POST", route: "/v1.0/users/:id/sendMail", ...SEND_MAIL },

  // PIM for Groups (graph-pim/).
  {
    method: "POST",
    route: `${PIM}/assignmentScheduleRequests`,
    ...both(PIM_ASSIGNMENTS_WRITE, "privilegedaccessgroup-post-assignmentschedulerequests.md"),
  },
  {
    method: "POST",
    route: `${PIM}/assignmentScheduleRequests/:id/cancel`,
    ...both(PIM_ASSIGNMENTS_WRITE, "privilegedaccessgroupassignmentschedulerequest-cancel.md"),
  },
  ...(
    [
      ["assignmentScheduleRequests", PIM_ASSIGNMENTS_READ, "privilegedaccessgroup-list-assignmentschedulerequests.md"],
      ["assignmentSchedules", PIM_ASSIGNMENTS_READ, "privilegedaccessgroup-list-assignmentschedules.md"],
      [
        "assignmentScheduleInstances",
        PIM_ASSIGNMENTS_READ,
        "privilegedaccessgroup-list-assignmentscheduleinstances.md",
      ],
      ["eligibilitySchedules", PIM_ELIGIBILITY_READ, "privilegedaccessgroup-list-eligibilityschedules.md"],
      [
        "eligibilityScheduleInstances",
        PIM_ELIGIBILITY_READ,
        "privilegedaccessgroup-list-eligibilityscheduleinstances.md",
      ],
    ] as const
  ).flatMap(([name, permissions, doc]) => [
    // the list, and `/{id}` or `/filterByCurrentUser(on='…')` (the same permissions on their pages)
    { method: "GET", route: `${PIM}/${name}`, ...both(permissions, doc) },
    { method: "GET", route: `${PIM}/${name}/:id`, ...both(permissions, doc) },
  ]),
  {
    method: "GET",
    route: "/v1.0/policies/roleManagementPolicyAssignments",
    ...both(PIM_POLICY_READ, "policyroot-list-rolemanagementpolicyassignments.md"),
  },
  {
    method: "GET",
    route: "/v1.0/policies/roleManagementPolicies",
    ...both(PIM_POLICY_READ, "policyroot-list-rolemanagementpolicies.md"),
  },
  {
    method: "GET",
    route: "/v1.0/policies/roleManagementPolicies/:id",
    ...both(PIM_POLICY_READ, "unifiedrolemanagementpolicy-get.md"),
  },
  {
    method: "PATCH",
    route: "/v1.0/policies/roleManagementPolicies/:id/rules/:ruleId",
    ...both(["RoleManagementPolicy.ReadWrite.AzureADGroup"], "unifiedrolemanagementpolicyrule-update.md"),
  },

  // Sign-in logs (graph-sign-ins.ts): node sign-ins for the activity summaries (issue 19).
  {
    method: "GET",
    route: "/v1.0/auditLogs/signIns",
    application: ["AuditLog.Read.All"],
    delegated: [["AuditLog.Read.All", "Directory.Read.All"]],
    doc: `${API}/signin-list.md`,
  },

  // Applications and service principals (applications.ts, workload-identity.ts): what the doctor reads.
  {
    method: "GET",
    route: "/v1.0/applications(appId=':appId')",
    application: APP_READ,
    delegated: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"],
    doc: `${API}/application-get.md`,
  },
  {
    method: "GET",
    route: "/v1.0/servicePrincipals(appId=':appId')",
    application: [...APP_READ, "Directory.Read.All"],
    delegated: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    doc: `${API}/serviceprincipal-get.md`,
  },
  {
    method: "GET",
    route: "/v1.0/servicePrincipals/:id",
    application: [...APP_READ, "Directory.Read.All"],
    delegated: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    doc: `${API}/serviceprincipal-get.md`,
  },
  {
    method: "GET",
    route: "/v1.0/servicePrincipals/:id/appRoleAssignments",
    ...both(
      ["Application.Read.All", "Directory.Read.All", "Application.ReadWrite.All", "Directory.ReadWrite.All"],
      "serviceprincipal-list-approleassignments.md",
    ),
  },
  ...["/v1.0/applications/:id/federatedIdentityCredentials", "/v1.0/:ref/federatedIdentityCredentials"].map(
    (route) => ({
      method: "GET",
      route,
      application: APP_READ,
      delegated: ["Application.Read.All", "Application.ReadWrite.All"],
      doc: `${API}/application-list-federatedidentitycredentials.md`,
    }),
  ),
];

const ROWS = new Map(GRAPH_PERMISSION_TABLE.map((row) => [`${row.method} ${row.route}`, row]));

export function permissionRow(method: string, route: string | undefined): GraphPermissionRow | undefined {
  return route === undefined ? undefined : ROWS.get(`${method.toUpperCase()} ${route}`);
}

function holds(held: ReadonlySet<string>, grant: PermissionGrant) {
  return typeof grant === "string" ? held.has(grant) : grant.every((p) => held.has(p));
}

/**
 * Whether a token may make the call the row describes. App-only tokens are checked against the
 * application permissions the app holds *now* (`grantedNow`), not only the `roles` claim the token
 * was issued with: Entra puts the grants in `roles` at issuance, but the app's credential caches its
 * token for an hour, and tests that withdraw a permission (PATCH /_emulator/applications/:appId)
 * must see the refusal at once. `undefined` when allowed; otherwise the permissions that would allow it.
 */
export function missingPermissions(
  row: GraphPermissionRow,
  token: JWTPayload,
  grantedNow: readonly string[],
): readonly PermissionGrant[] | undefined {
  if (token.idtyp === "app") {
    if (row.application === null) return undefined; // the handler refuses app-only access itself
    const held = new Set(grantedNow);
    return row.application.some((grant) => holds(held, grant)) ? undefined : row.application;
  }
  const held = new Set(
    String(token.scp ?? "")
      .split(" ")
      .filter(Boolean),
  );
  return row.delegated.some((grant) => holds(held, grant)) ? undefined : row.delegated;
}

/** Microsoft Graph's own application (its service principal's appId, the same in every tenant). */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** The object id of Microsoft Graph's service principal in the demo tenant (fixed, as tenant.json's ids are). */
export const MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID = "5d2b8f0e-3c4a-4e71-9b6d-0a8c7f1e2d34";

/**
 * Microsoft Graph's app roles (application permissions) the emulator knows, by value: their real
 * ids, as published on Microsoft Graph's service principal and listed in the permissions reference
 * (learn.microsoft.com/graph/permissions-reference; checked against graphpermissions.merill.net,
 * which mirrors the service principal, and public Terraform/PowerShell that grants them). Only these
 * can be granted to an app in the emulator. Two permissions the table names are missing because their
 * ids could not be verified here: GroupMember.ReadBasic.All and Group.ReadBasic.All.
 */
export const GRAPH_APP_ROLE_IDS: Readonly<Record<string, string>> = {
  "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
  "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
  "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
  "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
  "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
  "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
  "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
  "Group.ReadWrite.All": "62a82d76-70ea-41e2-9197-370581804d09",
  "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
  "GroupMember.ReadWrite.All": "dbaae8cf-10b5-4b86-a4a1-f871c94c6695",
  "Mail.Send": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  "PrivilegedAssignmentSchedule.Read.AzureADGroup": "cd4161cb-f098-48f8-a884-1eda9a42434c",
  "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup": "41202f2c-f7ab-45be-b001-85c9728b9d69",
  "PrivilegedEligibilitySchedule.Read.AzureADGroup": "edb419d6-7edc-42a3-9345-509bfdf5d87c",
  "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup": "618b6020-bca8-4de6-99f6-ef445fa4d857",
  "RoleManagementPolicy.Read.AzureADGroup": "69e67828-780e-47fd-b28c-7b27d14864e6",
  "RoleManagementPolicy.ReadWrite.AzureADGroup": "b38dcc4d-a239-4ed6-aa84-6c65b284f97c",
  "User.EnableDisableAccount.All": "3011c876-62b7-4ada-afa2-506cbbecc68c",
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
  "User.RevokeSessions.All": "77f3a031-c388-4f99-b373-dc68676a979e",
};
