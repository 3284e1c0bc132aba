import { beforeAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { requestAccess } from "@/lib/access/request-access";
import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { buildEvidencePack } from "@/lib/audit/evidence";
import { db } from "@/lib/db/client";
import { checkClusterPosture } from "@/lib/posture/check-posture";
import { readStandingAccess, type StandingFacts } from "@/lib/posture/standing-access";
import { ZStandingAccess, type StandingAccess } from "@/lib/posture/types";
import { demoUser } from "../support/emulator-browser";
import { resetEmulatorCluster, setEmulatorCluster } from "../support/emulator-state";
import { contextFor } from "../support/users";

/**
 * The standing-access map of aks-prod-weu against the emulator's standing-access seed
 * (emulator/seeds/standing-access.json): exactly the principals that get in without a grant, and
 * neither the one whose custom role's notActions take the way in away, nor a JIT grant's holder.
 */

const prod = getCatalog().clusters.find((c) => c.name === "aks-prod-weu")!;
const SECURE: StandingFacts = { areLocalAccountsDisabled: true, isAzureRbac: true, adminGroupObjectIds: [] };
const PLATFORM_ONCALL = "49de4768-2ffc-4a41-b72e-06124f96f516";
const GITOPS_SP = "7e2ab770-2965-45f1-8459-1799d13633f8";

/** name → [scope level, abilities, via group] of each path, the map in a form a reader can check. */
const summary = (map: StandingAccess) =>
  Object.fromEntries(
    map.principals.map((p) => [
      p.displayName ?? p.principalId,
      p.paths.map((path) => [path.scopeLevel, path.abilities.join("+"), path.viaGroup?.displayName ?? null]),
    ]),
  );

beforeAll(async () => {
  const response = await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/seeds/standing-access`, { method: "POST" });
  expect(response.status).toBe(201);
});

describe("standing access", () => {
  it("lists exactly the seeded standing principals, not the notActions one nor the JIT-granted holder, app apart", async () => {
    // n01 holds prod admin through AKS JIT: AKS RBAC Admin on the cluster, which the ledger explains.
    const now = new Date();
    const request = await requestAccess(
      {
        cluster: "aks-prod-weu",
        role: "admin",
        duration: "PT1H",
        justification: "Rotate the ingress certificate",
        ticket: "INC12345",
      },
      await contextFor("n01@contoso.com", now),
    );
    await approveRequest(request.id, { comment: "go ahead" }, await contextFor("p01@contoso.com", now));
    expect(await activateRequest(request.id, now)).toBe("active");

    const map = await readStandingAccess(prod, SECURE);
    // Stored as JSON in cluster_postures and the audit: the contract's schema reads it back as it was.
    expect(ZStandingAccess.parse(JSON.parse(JSON.stringify(map)))).toEqual(map);

    expect(summary(map)).toEqual({
      // a direct user: Azure Kubernetes Service RBAC Cluster Admin on the cluster
      "Omar Haddad": [["cluster", "clusterAdmin", null]],
      // a group's members: Virtual Machine Administrator Login on the node resource group
      "Lena Fischer": [["nodeResourceGroup", "nodeLogin", "platform-oncall"]],
      "Kenji Sato": [["nodeResourceGroup", "nodeLogin", "platform-oncall"]],
      // a service principal: the Cluster Admin Role's `runcommand/action` on the resource group
      "GitOps deployer (CI)": [["resourceGroup", "clusterRunCommand", null]],
      // inherited from the subscription: Contributor's `*` runs commands in the cluster and on the nodes
      "Grace Liu": [["subscription", "clusterRunCommand+nodeRunCommand", null]],
      // a custom role with wildcards, from the management group above the subscription
      "Ivan Petrov": [["managementGroup", "clusterAdmin+clusterRunCommand", null]],
    });
    expect(Object.keys(summary(map))).not.toContain("Maya Cohen");
    expect(map.principals.map((p) => p.principalId)).not.toContain(demoUser("n01@contoso.com").id);
    expect(map.explainedByGrants).toBe(1);

    const omar = map.principals.find((p) => p.displayName === "Omar Haddad")!;
    expect(omar).toMatchObject({ principalType: "User", userPrincipalName: "ops01@contoso.com" });
    expect(omar.paths[0]).toMatchObject({
      kind: "roleAssignment",
      roleName: "Azure Kubernetes Service RBAC Cluster Admin",
      scope: prod.resourceId,
      since: expect.stringMatching(/^\d{4}-/),
    });
    expect(map.principals.find((p) => p.principalId === GITOPS_SP)?.principalType).toBe("ServicePrincipal");
    // The app's own service principal provisions the grants: shown apart, with its role on both scopes.
    expect(map.appIdentity.map((p) => [p.displayName, p.paths.map((path) => path.scopeLevel).sort()])).toEqual([
      ["AKS JIT (demo)", ["cluster", "nodeResourceGroup"]],
    ]);
  });

  it("counts the admin credential when local accounts are on, and admin groups' members as cluster admins", async () => {
    const map = await readStandingAccess(prod, {
      areLocalAccountsDisabled: false,
      isAzureRbac: true,
      adminGroupObjectIds: [PLATFORM_ONCALL],
    });
    const s = summary(map);
    expect(s["GitOps deployer (CI)"]).toEqual([["resourceGroup", "adminCredentials+clusterRunCommand", null]]);
    expect(s["Ivan Petrov"]).toEqual([["managementGroup", "clusterAdmin+adminCredentials+clusterRunCommand", null]]);
    expect(s["Lena Fischer"]).toEqual([
      ["nodeResourceGroup", "nodeLogin", "platform-oncall"],
      ["cluster", "clusterAdmin", "platform-oncall"],
    ]);
    // The notActions exclusion holds with local accounts on too.
    expect(Object.keys(s)).not.toContain("Maya Cohen");
  });

  it("is what the posture check stores and audits: a new way in is a change, and a grant's evidence pack shows it", async () => {
    const changesOf = async () =>
      (
        await db.auditEvent.findMany({
          where: { type: "posture.changed", subjectId: prod.name },
          orderBy: { seq: "asc" },
        })
      ).map((e) => e.data as { changes: string[]; standing: StandingAccess | null });
    const storedMap = async () =>
      ZStandingAccess.parse(
        (await db.clusterPosture.findUniqueOrThrow({ where: { clusterName: prod.name } })).standing,
      );

    await checkClusterPosture(prod, new Date(), { correlationId: "standing-test" });
    expect(Object.keys(summary(await storedMap()))).toContain("Omar Haddad");
    const recorded = (await changesOf()).length;
    // platform-oncall becomes an admin group of the cluster: its members are cluster admins now.
    await setEmulatorCluster(prod.clusterName, { adminGroupObjectIDs: [PLATFORM_ONCALL] });
    try {
      expect((await checkClusterPosture(prod, new Date(), { correlationId: "standing-test" })).outcome).toBe("changed");
      const changes = await changesOf();
      expect(changes).toHaveLength(recorded + 1);
      expect(changes.at(-1)!.changes).toEqual(
        expect.arrayContaining([
          `admin groups changed from none to ${PLATFORM_ONCALL}`,
          "standing access of ops02@contoso.com changed (nodeLogin, clusterAdmin)",
          "standing access of ops03@contoso.com changed (nodeLogin, clusterAdmin)",
        ]),
      );
      expect(summary(changes.at(-1)!.standing!)["Lena Fischer"]).toEqual(summary(await storedMap())["Lena Fischer"]);

      // A grant after it: its evidence pack carries that event, map included.
      const now = new Date();
      const request = await requestAccess(
        {
          cluster: "aks-prod-weu",
          role: "admin",
          duration: "PT1H",
          justification: "Evidence of posture",
          ticket: "INC12345",
        },
        await contextFor("n02@contoso.com", now),
      );
      await approveRequest(request.id, { comment: "ok" }, await contextFor("p01@contoso.com", now));
      expect(await activateRequest(request.id, new Date())).toBe("active");
      const pack = await buildEvidencePack(await contextFor("aud01@contoso.com", new Date()), request.id);
      expect(pack.postureAtGrant?.summary).toMatch(/: 0 finding\(s\), 6 standing principal\(s\)$/);
      expect(pack.postureAtGrant?.event?.data).toMatchObject({
        clusterName: prod.name,
        changes: changes.at(-1)!.changes,
      });
    } finally {
      await resetEmulatorCluster(prod.clusterName);
    }
  });
});
