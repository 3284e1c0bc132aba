import { PROVISIONER_ROLE } from "@/lib/cloud/required-permissions";
import { type ArmPermission, missingActions } from "@/lib/cloud/arm-actions";
import { type CheckResult, describeFailure, fail, pass, type TenantReader } from "./check-result";
import type { ArmScopeNeed } from "./needs";

const CHECK = "Azure role assignments";

/** Permissions - List For Resource / For Resource Group: what the caller may do at a scope. */
const PERMISSIONS_API_VERSION = "2022-04-01";

function assignFix(need: ArmScopeNeed, clientId: string) {
  const pimNote = need.kinds.includes("armPim")
    ? ` "Role Based Access Control Administrator" is not enough for armPim: it lacks roleAssignmentScheduleRequests/write.`
    : "";
  return `Assign the app's service principal the custom role "${PROVISIONER_ROLE.roleName}" on this scope: \`az role assignment create --assignee ${clientId} --role "${PROVISIONER_ROLE.roleName}" --scope ${need.scope}\` (create the role first: README, "Appendix: manual tenant setup", step 7; Terraform: deploy/terraform does both).${pimNote}`;
}

async function checkScope(reader: TenantReader, need: ArmScopeNeed, clientId: string): Promise<CheckResult> {
  const name = `${need.label} (${need.kinds.join(", ")})`;
  const read = await reader.armList<ArmPermission>(
    `${need.scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`,
  );
  if (!read.ok) {
    const isMissing = read.status === 404;
    return fail(
      CHECK,
      name,
      `cannot read the app's permissions on ${need.scope}: ${describeFailure(read)}`,
      isMissing
        ? `Check the cluster's resourceId and nodeResourceGroup in the catalog (CATALOG_PATH): \`az aks show -g <rg> -n <cluster> --query "{id:id, nodeResourceGroup:nodeResourceGroup}"\`.`
        : assignFix(need, clientId),
    );
  }
  const permissions = read.value.map((p) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [] }));
  const missing = missingActions(permissions, need.actions);
  return missing.length === 0
    ? pass(CHECK, name, `the app holds the ${need.actions.length} actions its grants need`)
    : fail(CHECK, name, `the app lacks ${missing.join(", ")} on ${need.scope}`, assignFix(need, clientId));
}

/**
 * Check 4: on each scope an ARM grant uses, the app's roles allow the actions of its grant kinds
 * (ARM_ACTIONS): what `Permissions - List For Resource` returns for the caller, evaluated with Azure
 * RBAC's wildcard and notActions rules (lib/cloud/arm-actions.ts). Deny assignments are not in that
 * answer and not evaluated.
 */
export async function checkArmPermissions(
  reader: TenantReader,
  scopes: readonly ArmScopeNeed[],
  clientId: string,
): Promise<CheckResult[]> {
  if (scopes.length === 0) return [pass(CHECK, "ARM grants", "none in the catalog: no Azure role needed")];
  return Promise.all(scopes.map((need) => checkScope(reader, need, clientId)));
}
