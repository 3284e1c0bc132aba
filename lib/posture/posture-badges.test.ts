import { describe, expect, it } from "vitest";
import { postureBadges } from "./posture-badges";
import type { ClusterFacts, StandingAccess, StandingPrincipal } from "./types";

const compliant: ClusterFacts = {
  resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
  isManagedEntra: true,
  isAzureRbac: true,
  areLocalAccountsDisabled: true,
  isPrivate: false,
  hasPublicFqdn: false,
  fqdn: "c.hcp.westeurope.azmk8s.io",
  authorizedIpRanges: [],
  isOidcIssuer: true,
  isWorkloadIdentity: true,
  adminGroupObjectIds: [],
  nodeResourceGroup: "MC_rg_c_westeurope",
  nodePools: [{ name: "system", mode: "System", sshAccess: "Disabled" }],
};

function principal(id: string, ...abilities: StandingPrincipal["paths"][number]["abilities"]): StandingPrincipal {
  return {
    principalId: id,
    principalType: "User",
    displayName: id,
    userPrincipalName: `${id}@contoso.com`,
    paths: [
      {
        kind: "roleAssignment",
        roleName: "Owner",
        roleDefinitionId: null,
        roleAssignmentId: null,
        scope: "/subscriptions/s",
        scopeLevel: "subscription",
        viaGroup: null,
        abilities,
        since: null,
      },
    ],
  };
}
const standing = (...principals: StandingPrincipal[]): StandingAccess => ({
  principals,
  appIdentity: [principal("app", "clusterAdmin", "nodeLogin")],
  explainedByGrants: 4,
});

describe("postureBadges", () => {
  it.each([
    { name: "never checked", posture: null, badges: [] },
    { name: "compliant, nobody standing", posture: { facts: compliant, standing: standing() }, badges: [] },
    { name: "compliant, standing not read", posture: { facts: compliant, standing: null }, badges: [] },
    {
      name: "standing admins counted once each, the app's identity and JIT grants left out",
      posture: {
        facts: compliant,
        standing: standing(
          principal("a", "clusterAdmin", "adminCredentials"),
          principal("b", "clusterRunCommand"),
          principal("c", "clusterAdmin"),
        ),
      },
      badges: ["standing-admins:3 standing admins"],
    },
    {
      name: "one standing node login",
      posture: { facts: compliant, standing: standing(principal("n", "nodeLogin")) },
      badges: ["standing-node-access:1 standing node login"],
    },
    {
      name: "local accounts on and a pool with local SSH keys",
      posture: {
        facts: {
          ...compliant,
          areLocalAccountsDisabled: false,
          nodePools: [...compliant.nodePools, { name: "user", mode: "User", sshAccess: "LocalUser" as const }],
        },
        standing: null,
      },
      badges: ["local-accounts:local accounts on", "local-ssh:SSH with local keys"],
    },
  ])("$name", ({ posture, badges }) => {
    expect(postureBadges(posture).map((b) => `${b.code}:${b.text}`)).toEqual(badges);
  });
});
