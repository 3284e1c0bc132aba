import "server-only";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser } from "@/lib/context";
import { BUILT_IN_ROLE_NAMES } from "@/lib/cloud/built-in-roles";
import { getCatalog } from "@/lib/config/catalog";
import { policyTerms, type PolicyTerm } from "@/lib/domain/policy-summary";
import type { CatalogCluster, Grant } from "@/lib/config/catalog-schema";

export interface CatalogBindingView {
  kind: Grant["kind"];
  mechanism: string;
  /** the group or Azure role granted, in words */
  grants: string;
  /** the group object id or role definition id */
  id: string;
  scope: string;
  ends: string;
}

/** One line of a role's policy (lib/domain/policy-summary.ts). */
export type PolicyTermView = PolicyTerm;

export interface CatalogView {
  file: string;
  clusters: Array<{
    name: string;
    displayName: string;
    environment: string;
    resourceId: string;
    nodeResourceGroup: string;
    roles: Array<{ name: string; description: string; grants: CatalogBindingView[]; policy: PolicyTermView[] }>;
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
        policy: policyTerms(role.policy),
      })),
    })),
  };
}

function describeGrant(cluster: CatalogCluster, grant: Grant): CatalogBindingView {
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
