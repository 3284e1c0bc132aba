import { type AuditTable, diagnosticSettingCommand, resourceSpecificCommand } from "./audit-logs";
import { FINDING_SEVERITIES, type ClusterFacts, type PostureFinding } from "./types";

/*
 * What is wrong with a cluster's facts, for a JIT dashboard that should be the only way in: each
 * finding with its severity, what it lets people do without a grant, and the `az` command that fixes
 * it. Pure; the posture check and the doctor (lib/doctor/check-clusters.ts) both ask it.
 *
 * The commands are the AKS docs' (MicrosoftDocs/azure-aks-docs articles/aks/): enable-authentication-microsoft-entra-id.md
 * (`--enable-aad`), manage-azure-rbac.md (`--enable-azure-rbac`), manage-local-accounts-managed-azure-ad.md
 * (`--disable-local-accounts`), manage-ssh-node-access.md (`az aks nodepool update --ssh-access disabled`),
 * api-server-authorized-ip-ranges.md (`--api-server-authorized-ip-ranges`), private-clusters.md
 * (`--disable-public-fqdn`), workload-identity-deploy-cluster.md (`--enable-oidc-issuer --enable-workload-identity`).
 */

/** The cluster's ARM names, which the commands need (the catalog's `name` may differ). */
export interface ClusterRef {
  resourceGroup: string;
  clusterName: string;
  /** the catalog's `auditLogs`: which table the activity summary reads, and the workspace if named */
  auditLogs?: { workspaceResourceId?: string; table?: AuditTable };
}

/**
 * The settings Microsoft's "Use PIM to control access to your AKS clusters" assumes, as the doctor
 * lists them: what each is called and the `az aks update` flag that turns it on.
 */
export const ENTRA_SETTINGS = [
  {
    code: "entra-integration-off",
    label: "managed Entra ID integration",
    flag: "--enable-aad",
    isSet: (facts: ClusterFacts) => facts.isManagedEntra,
    title: "Managed Entra ID integration is off",
    allows:
      "People sign in to Kubernetes with certificates and tokens that Entra ID never sees, so no JIT grant is needed and none ends their access.",
  },
  {
    code: "azure-rbac-off",
    label: "Azure RBAC for Kubernetes authorization",
    flag: "--enable-azure-rbac",
    isSet: (facts: ClusterFacts) => facts.isAzureRbac,
    title: "Kubernetes authorization does not use Azure RBAC",
    allows:
      "Kubernetes RoleBindings, not the Azure role assignments AKS JIT grants and removes, decide who is admin: access can outlive its grant, or never need one.",
  },
  {
    code: "local-accounts-enabled",
    label: "local accounts disabled",
    flag: "--disable-local-accounts",
    isSet: (facts: ClusterFacts) => facts.areLocalAccountsDisabled,
    title: "Local accounts are enabled",
    allows:
      "Anyone with listClusterAdminCredential (Owner, Contributor, Azure Kubernetes Service Cluster Admin Role) runs `az aks get-credentials --admin` and is cluster-admin without a grant.",
  },
] as const satisfies ReadonlyArray<{
  code: string;
  label: string;
  flag: string;
  isSet: (facts: ClusterFacts) => boolean;
  title: string;
  allows: string;
}>;

export const clusterUpdate = (cluster: ClusterRef, flags: readonly string[]) =>
  `az aks update -g ${cluster.resourceGroup} -n ${cluster.clusterName} ${flags.join(" ")}`;

/** Every finding of a cluster, the most severe first. */
export function postureFindings(cluster: ClusterRef, facts: ClusterFacts): PostureFinding[] {
  const findings = [
    ...ENTRA_SETTINGS.filter((setting) => !setting.isSet(facts)).map((setting): PostureFinding => ({
      code: setting.code,
      severity: "high",
      title: setting.title,
      allows: setting.allows,
      fix: clusterUpdate(cluster, [setting.flag]),
    })),
    ...nodePoolFindings(cluster, facts),
    ...apiServerFindings(cluster, facts),
    ...workloadIdentityFindings(cluster, facts),
    ...auditLogFindings(cluster, facts),
  ];
  const rank = (finding: PostureFinding) => FINDING_SEVERITIES.indexOf(finding.severity);
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index)
    .map(({ finding }) => finding);
}

function nodePoolFindings(cluster: ClusterRef, facts: ClusterFacts): PostureFinding[] {
  const fix = (pool: string) =>
    `az aks nodepool update -g ${cluster.resourceGroup} --cluster-name ${cluster.clusterName} -n ${pool} --ssh-access disabled`;
  return facts.nodePools.flatMap((pool): PostureFinding[] => {
    if (pool.sshAccess === "LocalUser") {
      return [
        {
          code: `node-pool-ssh-local-user:${pool.name}`,
          severity: "high",
          title: `Node pool ${pool.name} accepts SSH as a local user`,
          allows: `The SSH key given when the pool was created reaches its nodes as a local user, without Entra ID or a grant.`,
          fix: fix(pool.name),
        },
      ];
    }
    if (pool.sshAccess === "unknown") {
      return [
        {
          code: `node-pool-ssh-unknown:${pool.name}`,
          severity: "low",
          title: `Node pool ${pool.name} does not say how SSH reaches its nodes`,
          allows: "AKS's default is SSH as a local user with the key given at creation; set the mode to be sure.",
          fix: fix(pool.name),
        },
      ];
    }
    return [];
  });
}

function apiServerFindings(cluster: ClusterRef, facts: ClusterFacts): PostureFinding[] {
  if (!facts.isPrivate && facts.authorizedIpRanges.length === 0) {
    return [
      {
        code: "api-server-open",
        severity: "medium",
        title: "The API server is public and open to any address",
        allows:
          "A leaked kubeconfig, or a token still valid after its grant ended (up to ~75 minutes), works from anywhere on the internet.",
        fix: clusterUpdate(cluster, ["--api-server-authorized-ip-ranges <CIDR>[,<CIDR>...]"]),
      },
    ];
  }
  if (facts.isPrivate && facts.hasPublicFqdn) {
    return [
      {
        code: "private-cluster-public-fqdn",
        severity: "low",
        title: "The private API server's name resolves in public DNS",
        allows: "Anyone can learn the API server's private address; reaching it still needs the network.",
        fix: clusterUpdate(cluster, ["--disable-public-fqdn"]),
      },
    ];
  }
  return [];
}

function workloadIdentityFindings(cluster: ClusterRef, facts: ClusterFacts): PostureFinding[] {
  const findings: PostureFinding[] = [];
  if (!facts.isOidcIssuer) {
    findings.push({
      code: "oidc-issuer-off",
      severity: "low",
      title: "The OIDC issuer is off",
      allows: "Workloads cannot federate with Entra ID, so they keep long-lived secrets that no grant governs.",
      fix: clusterUpdate(cluster, ["--enable-oidc-issuer"]),
    });
  }
  if (!facts.isWorkloadIdentity) {
    findings.push({
      code: "workload-identity-off",
      severity: "low",
      title: "Workload identity is off",
      allows: "Pods reach Azure with stored secrets or the node's identity rather than an identity of their own.",
      // AKS refuses workload identity without the OIDC issuer: the command turns on both when needed.
      fix: clusterUpdate(cluster, [
        ...(facts.isOidcIssuer ? [] : ["--enable-oidc-issuer"]),
        "--enable-workload-identity",
      ]),
    });
  }
  return findings;
}

/**
 * Audit logs (issue 19): without them nobody can tell what a grant was used for. Unknown (the
 * settings could not be read) is no finding: the doctor says why they could not be read.
 */
function auditLogFindings(cluster: ClusterRef, facts: ClusterFacts): PostureFinding[] {
  const audit = facts.auditLogs;
  if (!audit) return [];
  if (audit.categories.length === 0) {
    return [
      {
        code: "audit-logs-not-collected",
        severity: "medium",
        title: "Kubernetes audit logs are not collected to a Log Analytics workspace",
        allows:
          "Nobody can see what was done with access to this cluster: AKS JIT cannot summarise a grant's Kubernetes activity, and neither can an investigator.",
        fix: diagnosticSettingCommand({
          clusterResourceId: facts.resourceId,
          workspaceResourceId: cluster.auditLogs?.workspaceResourceId,
          table: cluster.auditLogs?.table ?? "AKSAuditAdmin",
        }),
      },
    ];
  }
  if (!audit.isResourceSpecific) {
    return [
      {
        code: "audit-logs-not-resource-specific",
        severity: "medium",
        title: "Kubernetes audit logs go to the AzureDiagnostics table, not the resource-specific AKSAudit tables",
        allows:
          "The AKSAudit and AKSAuditAdmin tables stay empty, so AKS JIT cannot summarise what was done with a grant; the rows sit in AzureDiagnostics, which it does not read.",
        fix: resourceSpecificCommand(facts.resourceId, audit.settingName),
      },
    ];
  }
  return [];
}
