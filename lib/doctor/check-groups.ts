import { type CheckResult, describeFailure, fail, pass, type TenantReader } from "./check-result";
import type { GroupNeed, PimTargetNeed } from "./needs";

const GROUPS = "Groups";
const PIM = "PIM for Groups";

interface Group {
  id: string;
  displayName?: string;
}

interface Eligibility {
  principalId: string;
  accessId: string;
}

const PIM_PORTAL = "Entra admin center → Identity governance → Privileged Identity Management → Groups";
const TERRAFORM = "Terraform: deploy/terraform manages it on `terraform apply`.";

async function checkGroup(reader: TenantReader, need: GroupNeed): Promise<{ result: CheckResult; group?: Group }> {
  const read = await reader.graph<Group>(`/groups/${need.id}`, { select: ["id", "displayName"] });
  const usedBy = need.usedBy.join("; ");
  if (read.ok) {
    return {
      result: pass(GROUPS, `${read.value.displayName ?? need.id} (${need.id})`, `exists; used by ${usedBy}`),
      group: read.value,
    };
  }
  // Graph's answer for an object id that names nothing (group-get.md).
  if (read.status === 404 && read.code === "Request_ResourceNotFound") {
    return {
      result: fail(
        GROUPS,
        need.id,
        `does not exist in this tenant; used by ${usedBy}`,
        `Create the group, or put the right object id where it is used (the catalog at CATALOG_PATH, or the variable named): Entra admin center → Groups → the group → Object ID. ${TERRAFORM}`,
      ),
    };
  }
  return {
    result: fail(
      GROUPS,
      need.id,
      `cannot read it: ${describeFailure(read)}`,
      "Grant the app the GroupMember.Read.All application permission (see Graph application permissions above).",
    ),
  };
}

async function checkPimTarget(
  reader: TenantReader,
  need: PimTargetNeed,
  names: Map<string, string>,
): Promise<CheckResult[]> {
  const name = `${names.get(need.groupId) ?? need.groupId} (${need.groupId})`;
  const policies = await reader.graphList<unknown>("/policies/roleManagementPolicyAssignments", {
    filter: `scopeId eq '${need.groupId}' and scopeType eq 'Group'`,
  });
  if (!policies.ok) {
    return [
      fail(
        PIM,
        `${name} is PIM-enabled`,
        `cannot read its PIM policy: ${describeFailure(policies)}`,
        "Grant the app RoleManagementPolicy.Read.AzureADGroup (see Graph application permissions above).",
      ),
    ];
  }
  if (policies.value.length === 0) {
    return [
      fail(
        PIM,
        `${name} is PIM-enabled`,
        `the group is not managed by PIM (no role management policy), so entraPimGroup grants of ${need.roles.join(", ")} fail`,
        `${PIM_PORTAL} → Discover groups → select the group → Manage groups. ${TERRAFORM}`,
      ),
    ];
  }
  const results = [pass(PIM, `${name} is PIM-enabled`, `used by ${need.roles.join(", ")}`)];
  const eligibilities = await reader.graphList<Eligibility>(
    "/identityGovernance/privilegedAccess/group/eligibilitySchedules",
    {
      filter: `groupId eq '${need.groupId}'`,
    },
  );
  if (!eligibilities.ok) {
    results.push(
      fail(
        PIM,
        `${name} eligibility`,
        `cannot read its eligibilities: ${describeFailure(eligibilities)}`,
        "Grant the app PrivilegedEligibilitySchedule.Read.AzureADGroup (see Graph application permissions above).",
      ),
    );
    return results;
  }
  const eligible = new Set(
    eligibilities.value.filter((e) => e.accessId === "member").map((e) => e.principalId.toLowerCase()),
  );
  for (const requester of need.eligibleGroupIds) {
    const label = `${names.get(requester) ?? requester} eligible for ${names.get(need.groupId) ?? need.groupId}`;
    results.push(
      eligible.has(requester)
        ? pass(PIM, label, "eligible for membership")
        : fail(
            PIM,
            label,
            `requester group ${requester} (eligibleGroups of ${need.roles.join(", ")}) is not eligible for membership of ${need.groupId}`,
            `${PIM_PORTAL} → the group → Assignments → Add assignments → Role: Member, select group ${requester}, Assignment type: Eligible. ${TERRAFORM}`,
          ),
    );
  }
  return results;
}

/**
 * Check 5: every group the configuration names exists (graph/api/group-get), and each entraPimGroup
 * target is managed by PIM (a role management policy assignment exists, graph/api/policyroot-list-
 * rolemanagementpolicyassignments) with its roles' requester groups eligible for membership
 * (graph/api/privilegedaccessgroup-list-eligibilityschedules).
 */
export async function checkGroups(
  reader: TenantReader,
  groups: readonly GroupNeed[],
  pimTargets: readonly PimTargetNeed[],
): Promise<CheckResult[]> {
  const checked = await Promise.all(groups.map((need) => checkGroup(reader, need)));
  const names = new Map(
    checked.flatMap(({ group }) => (group ? [[group.id.toLowerCase(), group.displayName ?? group.id]] : [])),
  );
  const existing = pimTargets.filter((target) => names.has(target.groupId));
  const pim = await Promise.all(existing.map((target) => checkPimTarget(reader, target, names)));
  return [...checked.map(({ result }) => result), ...pim.flat()];
}
