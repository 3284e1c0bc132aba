import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/auth/session";
import type { RolePolicy, TextRule } from "@/lib/domain/policy-types";
import { BUILT_IN_ROLE_NAMES } from "@/lib/cloud/built-in-roles";
import { getCatalog } from "./catalog";
import { describeDuration } from "@/lib/domain/duration";
import type { CatalogCluster, Grant } from "./catalog-schema";

export interface GrantView {
  kind: Grant["kind"];
  mechanism: string;
  /** the group or Azure role granted, in words */
  grants: string;
  /** the group object id or role definition id */
  id: string;
  scope: string;
  ends: string;
}

/** One line of a role's policy: a term and its meaning, with any group ids listed apart. */
export interface PolicyTermView {
  term: string;
  text: string;
  groupIds?: string[];
}

export interface CatalogView {
  file: string;
  clusters: Array<{
    name: string;
    displayName: string;
    environment: string;
    resourceId: string;
    nodeResourceGroup: string;
    roles: Array<{ name: string; description: string; grants: GrantView[]; policy: PolicyTermView[] }>;
  }>;
}

/** The access catalog as loaded, in words, for the admin page. */
export function describeCatalog(viewer: SessionUser): CatalogView {
  authorize(viewer, "catalog.admin");
  const catalog = getCatalog();
  return {
    file: catalog.file,
    clusters: catalog.clusters.map((cluster) => ({
      name: cluster.name,
      displayName: cluster.displayName,
      environment: cluster.environment,
      resourceId: cluster.resourceId,
      nodeResourceGroup: cluster.nodeResourceGroup,
      roles: cluster.roles.map((role) => ({
        name: role.name,
        description: role.description,
        grants: role.grants.map((grant) => describeGrant(cluster, grant)),
        policy: describePolicy(role.policy),
      })),
    })),
  };
}

function describeGrant(cluster: CatalogCluster, grant: Grant): GrantView {
  switch (grant.kind) {
    case "entraPimGroup":
    case "entraGroup":
      return {
        kind: grant.kind,
        mechanism: grant.kind === "entraPimGroup" ? "PIM group membership (Entra ID)" : "Group membership (Entra ID)",
        grants: "Membership of the group",
        id: grant.groupId,
        scope: "Entra ID tenant",
        ends: grant.kind === "entraPimGroup" ? "Entra ID, at the end time" : "AKS JIT removes it",
      };
    case "armPim":
    case "armRoleAssignment":
      return {
        kind: grant.kind,
        mechanism: grant.kind === "armPim" ? "PIM role assignment (Azure)" : "Role assignment (Azure)",
        grants: BUILT_IN_ROLE_NAMES[grant.roleDefinitionId] ?? "Azure role",
        id: grant.roleDefinitionId,
        scope:
          grant.scope === "cluster"
            ? cluster.resourceId
            : `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`,
        ends: grant.kind === "armPim" ? "Azure, at the end time" : "AKS JIT deletes it",
      };
    default:
      return grant satisfies never;
  }
}

function describeText(rule: TextRule, whenOptional: string): string {
  if (!rule.isRequired && !rule.pattern) return whenOptional;
  const must = rule.pattern ? `must match ${rule.pattern}` : "";
  const hint = rule.message ? ` (“${rule.message}”)` : "";
  if (!rule.isRequired) return `Optional; when given, ${must}${hint}`;
  return rule.pattern ? `Required; ${must}${hint}` : "Required";
}

function describePolicy(policy: RolePolicy): PolicyTermView[] {
  const approvals = policy.approvalsRequired;
  const isSelfActivated = approvals === 0;
  return [
    { term: "Who may request", text: "Members of these groups:", groupIds: policy.eligibleGroupIds },
    {
      term: "Approval",
      text: isSelfActivated
        ? "None: self-activation, active as soon as it is requested"
        : `${approvals === 1 ? "1 approval" : `${approvals} approvals by different people`} from the approvers; nobody approves their own request`,
    },
    policy.approverGroupIds.length > 0
      ? { term: "Approvers", text: "Members of these groups:", groupIds: policy.approverGroupIds }
      : { term: "Approvers", text: "None" },
    {
      term: "Duration",
      text: `${describeDuration(policy.defaultDurationMinutes)} by default, at most ${describeDuration(policy.maxDurationMinutes)}`,
    },
    { term: "Justification", text: describeText(policy.justification, "Optional") },
    { term: "Ticket", text: describeText(policy.ticket, "Not asked for") },
    {
      term: "Pending timeout",
      text: isSelfActivated
        ? "Does not apply: nothing waits for approval"
        : `A request without enough approvals after ${describeDuration(policy.pendingTimeoutMinutes)} times out`,
    },
    {
      term: "Scheduled start",
      text: policy.isScheduledStartAllowed
        ? `Allowed, up to ${describeDuration(policy.maxStartAheadMinutes)} ahead`
        : "Not allowed: access starts when it is activated",
    },
    {
      term: "Break-glass",
      text: policy.isBreakGlassAllowed
        ? "Allowed: active without approval, with a mandatory reason, a loud notification and a review afterwards"
        : "Not allowed",
    },
  ];
}
