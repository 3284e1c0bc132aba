import { describe, expect, it } from "vitest";
import { clusterFactsFromArm, poolsOfCluster, type ArmManagedCluster } from "./arm-facts";
import { postureFindings } from "./findings";
import type { ClusterFacts } from "./types";

const CLUSTER = { resourceGroup: "rg-aks", clusterName: "aks-1" };

/** What Microsoft's PIM-for-AKS guide and the API-server guide ask for: no findings. */
const COMPLIANT: ClusterFacts = {
  resourceId: "/subscriptions/s/resourcegroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-1",
  isManagedEntra: true,
  isAzureRbac: true,
  areLocalAccountsDisabled: true,
  isPrivate: false,
  hasPublicFqdn: false,
  fqdn: "aks-1-abc.hcp.westeurope.azmk8s.io",
  authorizedIpRanges: ["203.0.113.0/24"],
  isOidcIssuer: true,
  isWorkloadIdentity: true,
  adminGroupObjectIds: [],
  nodeResourceGroup: "MC_rg-aks_aks-1_westeurope",
  nodePools: [
    { name: "system", mode: "System", sshAccess: "Disabled" },
    { name: "user", mode: "User", sshAccess: "EntraId" },
  ],
};

describe("postureFindings: one finding per gap, with its severity and the command that fixes it", () => {
  it("finds nothing on a cluster set up as Microsoft's guides say", () => {
    expect(postureFindings(CLUSTER, COMPLIANT)).toEqual([]);
    // A private cluster needs no authorized ranges: nothing outside its network reaches it.
    expect(postureFindings(CLUSTER, { ...COMPLIANT, isPrivate: true, authorizedIpRanges: [] })).toEqual([]);
  });

  it.each<[string, Partial<ClusterFacts>, string, string, string]>([
    [
      "Entra integration off",
      { isManagedEntra: false },
      "entra-integration-off",
      "high",
      "az aks update -g rg-aks -n aks-1 --enable-aad",
    ],
    [
      "Azure RBAC off",
      { isAzureRbac: false },
      "azure-rbac-off",
      "high",
      "az aks update -g rg-aks -n aks-1 --enable-azure-rbac",
    ],
    [
      "local accounts on",
      { areLocalAccountsDisabled: false },
      "local-accounts-enabled",
      "high",
      "az aks update -g rg-aks -n aks-1 --disable-local-accounts",
    ],
    [
      "a pool with SSH as a local user",
      { nodePools: [{ name: "user", mode: "User", sshAccess: "LocalUser" }] },
      "node-pool-ssh-local-user:user",
      "high",
      "az aks nodepool update -g rg-aks --cluster-name aks-1 -n user --ssh-access disabled",
    ],
    [
      "a pool whose SSH mode ARM does not give",
      { nodePools: [{ name: "old", mode: "User", sshAccess: "unknown" }] },
      "node-pool-ssh-unknown:old",
      "low",
      "az aks nodepool update -g rg-aks --cluster-name aks-1 -n old --ssh-access disabled",
    ],
    [
      "a public API server open to any address",
      { authorizedIpRanges: [] },
      "api-server-open",
      "medium",
      "az aks update -g rg-aks -n aks-1 --api-server-authorized-ip-ranges <CIDR>[,<CIDR>...]",
    ],
    [
      "a private cluster with a public FQDN",
      { isPrivate: true, hasPublicFqdn: true, authorizedIpRanges: [] },
      "private-cluster-public-fqdn",
      "low",
      "az aks update -g rg-aks -n aks-1 --disable-public-fqdn",
    ],
    [
      "workload identity off",
      { isWorkloadIdentity: false },
      "workload-identity-off",
      "low",
      "az aks update -g rg-aks -n aks-1 --enable-workload-identity",
    ],
  ])("%s", (_, change, code, severity, fix) => {
    const findings = postureFindings(CLUSTER, { ...COMPLIANT, ...change });
    expect(findings.map((f) => [f.code, f.severity, f.fix])).toEqual([[code, severity, fix]]);
    expect(findings[0]!.title).not.toBe("");
    expect(findings[0]!.allows).not.toBe("");
  });

  it("turns on the OIDC issuer with workload identity when both are off, as AKS requires", () => {
    const findings = postureFindings(CLUSTER, { ...COMPLIANT, isOidcIssuer: false, isWorkloadIdentity: false });
    expect(findings.map((f) => [f.code, f.fix])).toEqual([
      ["oidc-issuer-off", "az aks update -g rg-aks -n aks-1 --enable-oidc-issuer"],
      ["workload-identity-off", "az aks update -g rg-aks -n aks-1 --enable-oidc-issuer --enable-workload-identity"],
    ]);
  });

  it("lists the most severe first, then in the order of the checks", () => {
    const findings = postureFindings(CLUSTER, {
      ...COMPLIANT,
      isWorkloadIdentity: false,
      authorizedIpRanges: [],
      nodePools: [{ name: "user", mode: "User", sshAccess: "LocalUser" }],
      areLocalAccountsDisabled: false,
    });
    expect(findings.map((f) => f.code)).toEqual([
      "local-accounts-enabled",
      "node-pool-ssh-local-user:user",
      "api-server-open",
      "workload-identity-off",
    ]);
  });
});

describe("clusterFactsFromArm: ARM's wire names, and what it leaves out", () => {
  const body: ArmManagedCluster = {
    id: COMPLIANT.resourceId,
    properties: {
      privateFQDN: "aks-1-abc.priv.privatelink.westeurope.azmk8s.io",
      nodeResourceGroup: "MC_rg-aks_aks-1_westeurope",
      disableLocalAccounts: true,
      aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["g1"] },
      apiServerAccessProfile: { enablePrivateCluster: true },
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
      agentPoolProfiles: [
        { name: "system", mode: "System", securityProfile: { sshAccess: "disabled" } },
        { name: "user", mode: "User" },
      ],
    },
  };

  it("reads a private cluster with its pools from the cluster's own agentPoolProfiles", () => {
    expect(clusterFactsFromArm(body, poolsOfCluster(body))).toEqual({
      ...COMPLIANT,
      isPrivate: true,
      fqdn: "aks-1-abc.priv.privatelink.westeurope.azmk8s.io",
      authorizedIpRanges: [],
      adminGroupObjectIds: ["g1"],
      nodePools: [
        { name: "system", mode: "System", sshAccess: "Disabled" },
        { name: "user", mode: "User", sshAccess: "unknown" },
      ],
    });
  });

  it("takes a cluster without aadProfile for one without Entra integration or Azure RBAC", () => {
    const facts = clusterFactsFromArm({ id: "x", properties: { fqdn: "public.example" } });
    expect(facts).toMatchObject({
      isManagedEntra: false,
      isAzureRbac: false,
      areLocalAccountsDisabled: false,
      isPrivate: false,
      hasPublicFqdn: false,
      fqdn: "public.example",
      adminGroupObjectIds: [],
      nodePools: [],
    });
  });
});
