import { SSH_ACCESS_MODES, type ClusterFacts, type SshAccessMode } from "./types";

/*
 * ARM's managedClusters and agentPools answers (api-version 2025-10-01, wire names: `RBAC`, `IDs`,
 * `FQDN` upper case; Azure/azure-rest-api-specs specification/containerservice) as ClusterFacts.
 * Pure: read-posture.ts fetches, the doctor reuses it on its own read. A property ARM leaves out is
 * its default: AKS omits `authorizedIPRanges` when none are set, and `aadProfile` on a cluster without
 * Entra integration.
 */

export interface ArmAgentPoolProperties {
  mode?: string;
  securityProfile?: { sshAccess?: string } | null;
}

export interface ArmAgentPool {
  name?: string;
  properties?: ArmAgentPoolProperties;
}

export interface ArmManagedCluster {
  id?: string;
  name?: string;
  properties?: {
    fqdn?: string | null;
    privateFQDN?: string | null;
    nodeResourceGroup?: string;
    disableLocalAccounts?: boolean;
    aadProfile?: { managed?: boolean; enableAzureRBAC?: boolean; adminGroupObjectIDs?: string[] | null } | null;
    apiServerAccessProfile?: {
      enablePrivateCluster?: boolean;
      enablePrivateClusterPublicFQDN?: boolean;
      authorizedIPRanges?: string[] | null;
    } | null;
    oidcIssuerProfile?: { enabled?: boolean } | null;
    securityProfile?: { workloadIdentity?: { enabled?: boolean } | null } | null;
    /** the pools as the cluster's GET lists them: each with its name and the agentPools properties */
    agentPoolProfiles?: Array<ArmAgentPoolProperties & { name?: string }> | null;
  };
}

/** The cluster's agent pools as agentPools list answers them, from its own agentPoolProfiles. */
export function poolsOfCluster(cluster: ArmManagedCluster): ArmAgentPool[] | undefined {
  return cluster.properties?.agentPoolProfiles?.map(({ name, ...properties }) => ({ name, properties }));
}

export function clusterFactsFromArm(cluster: ArmManagedCluster, pools: readonly ArmAgentPool[] = []): ClusterFacts {
  const p = cluster.properties ?? {};
  const api = p.apiServerAccessProfile ?? {};
  const isPrivate = api.enablePrivateCluster === true;
  return {
    resourceId: cluster.id ?? "",
    isManagedEntra: p.aadProfile?.managed === true,
    isAzureRbac: p.aadProfile?.enableAzureRBAC === true,
    areLocalAccountsDisabled: p.disableLocalAccounts === true,
    isPrivate,
    hasPublicFqdn: isPrivate && api.enablePrivateClusterPublicFQDN === true,
    fqdn: (isPrivate ? p.privateFQDN : p.fqdn) ?? p.fqdn ?? null,
    authorizedIpRanges: api.authorizedIPRanges ?? [],
    isOidcIssuer: p.oidcIssuerProfile?.enabled === true,
    isWorkloadIdentity: p.securityProfile?.workloadIdentity?.enabled === true,
    adminGroupObjectIds: p.aadProfile?.adminGroupObjectIDs ?? [],
    nodeResourceGroup: p.nodeResourceGroup ?? "",
    nodePools: pools.map((pool) => ({
      name: pool.name ?? "",
      mode: pool.properties?.mode ?? "",
      sshAccess: sshAccessOf(pool.properties?.securityProfile?.sshAccess),
    })),
  };
}

/** ARM's enums compare case-insensitively; a value this version does not know is "unknown", not a guess. */
function sshAccessOf(value: string | undefined): SshAccessMode {
  const known = SSH_ACCESS_MODES.find((mode) => mode.toLowerCase() === value?.toLowerCase());
  return known ?? "unknown";
}
