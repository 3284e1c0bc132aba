import { z } from "zod";

/*
 * A catalog cluster's posture (issue 18): whether AKS JIT is really the only way in. What ARM says of
 * the cluster (facts), what is wrong with that (findings, each with the `az` command that fixes it),
 * and who can reach cluster admin or the nodes without a JIT grant (standing access). Checked with
 * the reconciler and on "Check now", kept in cluster_postures (the latest) and, when it changes, in
 * the audit history (`posture.changed`), from which an evidence pack takes the posture at the time of
 * a grant. Stored as JSON: these schemas parse it back.
 */

/** An agent pool's `securityProfile.sshAccess` (AKS api 2024-02-01 and later); "unknown" when ARM does not say. */
export const SSH_ACCESS_MODES = ["LocalUser", "Disabled", "EntraId", "unknown"] as const;
export type SshAccessMode = (typeof SSH_ACCESS_MODES)[number];

/** Where the cluster's Kubernetes audit logs go (its diagnostic settings; lib/posture/audit-logs.ts). */
export const ZAuditLogsFacts = z.object({
  /** kube-audit-admin / kube-audit, as sent to a workspace by the setting below ([]: not collected) */
  categories: z.array(z.string()),
  /** the Log Analytics workspace's ARM id */
  workspaceResourceId: z.string().nullable(),
  /** logAnalyticsDestinationType "Dedicated": the AKSAudit* tables; otherwise AzureDiagnostics */
  isResourceSpecific: z.boolean(),
  /** the diagnostic setting's name */
  settingName: z.string().nullable(),
});
export type AuditLogsFacts = z.infer<typeof ZAuditLogsFacts>;

export const ZClusterFacts = z.object({
  /** the managedClusters resource id ARM answered for */
  resourceId: z.string(),
  /** aadProfile.managed */
  isManagedEntra: z.boolean(),
  /** aadProfile.enableAzureRBAC */
  isAzureRbac: z.boolean(),
  /** properties.disableLocalAccounts */
  areLocalAccountsDisabled: z.boolean(),
  /** apiServerAccessProfile.enablePrivateCluster */
  isPrivate: z.boolean(),
  /** apiServerAccessProfile.enablePrivateClusterPublicFQDN: a private cluster whose name resolves publicly */
  hasPublicFqdn: z.boolean(),
  /** properties.fqdn (public), or privateFQDN for a private cluster */
  fqdn: z.string().nullable(),
  /** apiServerAccessProfile.authorizedIPRanges ([]: any address may reach a public API server) */
  authorizedIpRanges: z.array(z.string()),
  /** oidcIssuerProfile.enabled */
  isOidcIssuer: z.boolean(),
  /** securityProfile.workloadIdentity.enabled */
  isWorkloadIdentity: z.boolean(),
  /** aadProfile.adminGroupObjectIDs: their members are cluster admins whatever Azure RBAC says */
  adminGroupObjectIds: z.array(z.string()),
  nodeResourceGroup: z.string(),
  nodePools: z.array(z.object({ name: z.string(), mode: z.string(), sshAccess: z.enum(SSH_ACCESS_MODES) })),
  /**
   * Where its audit logs go; null when the diagnostic settings could not be read (403/404: unknown,
   * no finding), absent in facts stored before issue 19.
   */
  auditLogs: ZAuditLogsFacts.nullable().optional(),
});
export type ClusterFacts = z.infer<typeof ZClusterFacts>;

export const FINDING_SEVERITIES = ["high", "medium", "low"] as const;

export const ZPostureFinding = z.object({
  /** stable, e.g. "local-accounts-enabled", "node-pool-ssh-local-user:user" */
  code: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  /** what is wrong, in words */
  title: z.string(),
  /** what it allows, in words ("anyone with listClusterAdminCredential gets cluster-admin without a grant") */
  allows: z.string(),
  /** the exact command that fixes it */
  fix: z.string(),
});
export type PostureFinding = z.infer<typeof ZPostureFinding>;

/** What a standing principal can do without a grant. */
export const STANDING_ABILITIES = [
  "clusterAdmin", // Kubernetes data actions of an admin role, or a member of an admin group
  "adminCredentials", // listClusterAdminCredential with local accounts on
  "clusterRunCommand", // managedClusters/runCommand/action
  "nodeLogin", // VM login data actions on the node resource group
  "nodeRunCommand", // virtualMachineScaleSets/.../runCommand/action on the node resource group
] as const;

export const ZStandingPath = z.object({
  /** "roleAssignment", or "adminGroup" (aadProfile.adminGroupObjectIDs) */
  kind: z.enum(["roleAssignment", "adminGroup"]),
  roleName: z.string().nullable(),
  roleDefinitionId: z.string().nullable(),
  roleAssignmentId: z.string().nullable(),
  scope: z.string(),
  scopeLevel: z.enum(["cluster", "resourceGroup", "nodeResourceGroup", "subscription", "managementGroup"]),
  /** the group the principal is a member of, when the assignment is to a group */
  viaGroup: z.object({ id: z.string(), displayName: z.string().nullable() }).nullable(),
  abilities: z.array(z.enum(STANDING_ABILITIES)),
  /** the assignment's createdOn, when ARM says */
  since: z.string().nullable(),
});

export const ZStandingPrincipal = z.object({
  principalId: z.string(),
  principalType: z.enum(["User", "Group", "ServicePrincipal", "Unknown"]),
  displayName: z.string().nullable(),
  userPrincipalName: z.string().nullable(),
  paths: z.array(ZStandingPath),
});
export type StandingPrincipal = z.infer<typeof ZStandingPrincipal>;

export const ZStandingAccess = z.object({
  /** people and identities that get in without a JIT grant */
  principals: z.array(ZStandingPrincipal),
  /** the app's own identity: shown apart, it provisions the grants */
  appIdentity: z.array(ZStandingPrincipal),
  /** access our own active grants explain (the ledger): listed apart, not a bypass */
  explainedByGrants: z.number().int(),
});
export type StandingAccess = z.infer<typeof ZStandingAccess>;

/** One cluster's latest check: the facts, their findings and the standing access, or why it could not be read. */
export const ZClusterPosture = z.object({
  clusterName: z.string(),
  checkedAt: z.coerce.date(),
  facts: ZClusterFacts.nullable(),
  findings: z.array(ZPostureFinding),
  standing: ZStandingAccess.nullable(),
  /** why the check failed (facts are then the last ones read, or null) */
  error: z.string().nullable(),
});
export type ClusterPosture = z.infer<typeof ZClusterPosture>;
