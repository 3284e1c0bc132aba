import type { GraphPermissionNeed } from "@/lib/cloud/required-permissions";
import { type CheckResult, describeFailure, fail, pass, type ReadFailure, type TenantReader } from "./check-result";

const CHECK = "Graph application permissions";

/** Microsoft Graph's own service principal has this appId in every tenant. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

interface ServicePrincipal {
  id: string;
  appRoles?: Array<{ id: string; value: string | null }>;
}

interface AppRoleAssignment {
  appRoleId: string;
  resourceId: string;
}

function grantFix(permission: string, clientId: string, roleId?: string) {
  const az = roleId
    ? ` Or: \`az ad app permission add --id ${clientId} --api ${GRAPH_APP_ID} --api-permissions ${roleId}=Role && az ad app permission admin-consent --id ${clientId}\`.`
    : "";
  return `Entra admin center → App registrations → the app (${clientId}) → API permissions → Add a permission → Microsoft Graph → Application permissions → ${permission}, then "Grant admin consent".${az} Terraform: deploy/terraform grants it on \`terraform apply\`.`;
}

function unreadable(clientId: string, failure: ReadFailure, tokenRoles?: string[]): CheckResult {
  const carried = tokenRoles
    ? ` The app's current Graph token carries: ${tokenRoles.join(", ") || "no application permissions"}.`
    : "";
  const isForbidden = failure.status === 403;
  return fail(
    CHECK,
    "granted permissions",
    isForbidden
      ? `cannot read the app's granted permissions (needs Application.Read.All): ${describeFailure(failure)}.${carried}`
      : `cannot read the app's service principal: ${describeFailure(failure)}.${carried}`,
    isForbidden
      ? grantFix("Application.Read.All", clientId)
      : `Make sure ENTRA_CLIENT_ID names an app registration with a service principal in this tenant (Entra admin center → Enterprise applications), or create it: \`az ad sp create --id ${clientId}\`.`,
  );
}

/**
 * Check 2: each Graph application permission the configuration needs is granted to the app's
 * service principal (admin consent given): its appRoleAssignments on Microsoft Graph, mapped to
 * names through Graph's appRoles (graph/api/serviceprincipal-list-approleassignments).
 */
export async function checkGraphPermissions(
  reader: TenantReader,
  clientId: string,
  needs: readonly GraphPermissionNeed[],
  tokenRoles?: string[],
): Promise<CheckResult[]> {
  const app = await reader.graph<ServicePrincipal>(`/servicePrincipals(appId='${clientId}')`, { select: ["id"] });
  if (!app.ok) return [unreadable(clientId, app, tokenRoles)];
  const graph = await reader.graph<ServicePrincipal>(`/servicePrincipals(appId='${GRAPH_APP_ID}')`, {
    select: ["id", "appRoles"],
  });
  if (!graph.ok) return [unreadable(clientId, graph, tokenRoles)];
  const assignments = await reader.graphList<AppRoleAssignment>(
    `/servicePrincipals/${app.value.id}/appRoleAssignments`,
  );
  if (!assignments.ok) return [unreadable(clientId, assignments, tokenRoles)];

  const roleIds = new Map((graph.value.appRoles ?? []).map((role) => [role.value ?? "", role.id]));
  const grantedIds = new Set(
    assignments.value.filter((a) => a.resourceId === graph.value.id).map((a) => a.appRoleId.toLowerCase()),
  );
  return needs.map(({ permission, why }) => {
    const roleId = roleIds.get(permission);
    return roleId && grantedIds.has(roleId.toLowerCase())
      ? pass(CHECK, permission, `granted: ${why}`)
      : fail(CHECK, permission, `not granted; the app needs it to ${why}`, grantFix(permission, clientId, roleId));
  });
}
