import { describe, expect, it } from "vitest";
import { describeChanges, sameValue } from "./changes";
import { postureFindings } from "./findings";
import type { ClusterFacts } from "./types";

const CLUSTER = { resourceGroup: "rg", clusterName: "aks" };
const FACTS: ClusterFacts = {
  resourceId: "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  isManagedEntra: true,
  isAzureRbac: true,
  areLocalAccountsDisabled: true,
  isPrivate: false,
  hasPublicFqdn: false,
  fqdn: "aks.hcp.westeurope.azmk8s.io",
  authorizedIpRanges: ["203.0.113.0/24"],
  isOidcIssuer: true,
  isWorkloadIdentity: true,
  adminGroupObjectIds: [],
  nodeResourceGroup: "MC_rg_aks_westeurope",
  nodePools: [{ name: "user", mode: "User", sshAccess: "Disabled" }],
};
const read = (facts: ClusterFacts) => ({ facts, findings: postureFindings(CLUSTER, facts) });

describe("describeChanges: what changed between two reads, in words", () => {
  it("says nothing when nothing changed, whatever the order of the stored keys", () => {
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(FACTS).reverse()))) as ClusterFacts;
    expect(describeChanges(read(reordered), read(FACTS))).toEqual([]);
  });

  it("calls the first read a first read", () => {
    expect(describeChanges({ facts: null, findings: [] }, read(FACTS))).toEqual(["first read"]);
  });

  it.each<[string, Partial<ClusterFacts>, string[]]>([
    [
      "local accounts",
      { areLocalAccountsDisabled: false },
      ["local accounts turned on", "finding opened: local-accounts-enabled"],
    ],
    ["Azure RBAC", { isAzureRbac: false }, ["Azure RBAC for Kubernetes turned off", "finding opened: azure-rbac-off"]],
    [
      "a pool's SSH mode",
      { nodePools: [{ name: "user", mode: "User", sshAccess: "LocalUser" }] },
      ["node pool user SSH access changed from Disabled to LocalUser", "finding opened: node-pool-ssh-local-user:user"],
    ],
    [
      "the authorized ranges",
      { authorizedIpRanges: [] },
      ["authorized IP ranges changed from 203.0.113.0/24 to none", "finding opened: api-server-open"],
    ],
    ["admin groups", { adminGroupObjectIds: ["g1"] }, ["admin groups changed from none to g1"]],
    [
      "a private API server",
      { isPrivate: true, authorizedIpRanges: [], fqdn: "aks.privatelink" },
      [
        "API server made private",
        "authorized IP ranges changed from 203.0.113.0/24 to none",
        "fqdn changed from aks.hcp.westeurope.azmk8s.io to aks.privatelink",
      ],
    ],
  ])("%s", (_, change, words) => {
    expect(describeChanges(read(FACTS), read({ ...FACTS, ...change }))).toEqual(words);
    // And back: the finding closes.
    const back = describeChanges(read({ ...FACTS, ...change }), read(FACTS));
    expect(back.length).toBe(words.length);
    for (const word of words.filter((w) => w.startsWith("finding opened: "))) {
      expect(back).toContain(word.replace("opened", "closed"));
    }
  });
});

describe("sameValue", () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [[1, 2], [2, 1], false],
    [{ a: null }, { a: 0 }, false],
    [{ a: [] }, { a: {} }, false],
  ])("%j vs %j", (a, b, same) => expect(sameValue(a, b)).toBe(same));
});
