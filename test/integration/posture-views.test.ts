import { beforeAll, describe, expect, it } from "vitest";
import { approveRequest } from "@/lib/access/approve-request";
import { requestAccess } from "@/lib/access/request-access";
import { listMyActiveRequests, loadRequestView } from "@/lib/access/request-queries";
import type { ActionContext } from "@/lib/context";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { runPostureCheck } from "@/lib/posture/check-now";
import { latestPostures, postureOf } from "@/lib/posture/posture-queries";
import { clusterPostureBadges, loadPostureOverview } from "@/lib/posture/posture-view";
import type { ClusterFacts, StandingAccess } from "@/lib/posture/types";
import { takeQueuedJobs } from "../support/jobs";
import { recordStep } from "../support/request-steps";
import { contextFor } from "../support/users";

/**
 * What the stored posture of a cluster (cluster_postures, written by the check) changes for people:
 * the holder's connection commands follow it (a private API server: az aks command invoke, never
 * get-credentials), requesters see counts as badges, auditors and admins the Posture page, and only
 * admins may run the check. Rows are inserted here as the check would store them.
 */

const PROD = "aks-prod-weu";
const facts = (over: Partial<ClusterFacts> = {}): ClusterFacts => ({
  resourceId: `/subscriptions/s/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/${PROD}`,
  isManagedEntra: true,
  isAzureRbac: true,
  areLocalAccountsDisabled: true,
  isPrivate: false,
  hasPublicFqdn: false,
  fqdn: "aks-prod-weu.hcp.westeurope.azmk8s.io",
  authorizedIpRanges: [],
  isOidcIssuer: true,
  isWorkloadIdentity: true,
  adminGroupObjectIds: [],
  nodeResourceGroup: "MC_rg-aks-prod_aks-prod-weu_westeurope",
  nodePools: [{ name: "system", mode: "System", sshAccess: "Disabled" }],
  ...over,
});
const standing: StandingAccess = {
  principals: [
    {
      principalId: "11111111-1111-1111-1111-111111111111",
      principalType: "User",
      displayName: "Old Owner",
      userPrincipalName: "owner@contoso.com",
      paths: [
        {
          kind: "roleAssignment",
          roleName: "Owner",
          roleDefinitionId: null,
          roleAssignmentId: null,
          scope: "/subscriptions/s",
          scopeLevel: "subscription",
          viaGroup: null,
          abilities: ["clusterAdmin", "clusterRunCommand"],
          since: "2025-01-02T03:04:05Z",
        },
      ],
    },
  ],
  appIdentity: [],
  explainedByGrants: 1,
};

async function storePosture(clusterName: string, data: { facts: unknown; standing?: unknown; error?: string }) {
  const row = {
    checkedAt: new Date(),
    facts: data.facts as object,
    findings: [],
    standing: (data.standing ?? null) as object,
    error: data.error ?? null,
  };
  await db.clusterPosture.upsert({ where: { clusterName }, create: { clusterName, ...row }, update: row });
}

let n01: ActionContext, p01: ActionContext, aud01: ActionContext, adm01: ActionContext;
let activeId: string;

beforeAll(async () => {
  [n01, p01, aud01, adm01] = await Promise.all([
    contextFor("n01@contoso.com"),
    contextFor("p01@contoso.com"),
    contextFor("aud01@contoso.com"),
    contextFor("adm01@contoso.com"),
  ]);
  // n01's prod admin access, active: activation's events recorded as the job records them.
  const request = await requestAccess(
    { cluster: PROD, role: "admin", duration: "PT1H", justification: "Posture test", ticket: "INC12345" },
    n01,
  );
  await approveRequest(request.id, { comment: "ok" }, p01);
  expect(await takeQueuedJobs(QUEUES.activate, request.id)).toHaveLength(1);
  await recordStep(request.id, { type: "begin_activation" }, new Date());
  await recordStep(request.id, { type: "activation_succeeded" }, new Date());
  activeId = request.id;
});

const commandsOf = async () => (await loadRequestView(activeId, n01.viewer)).commands.map((c) => c.command);

describe("connection commands from the stored posture", () => {
  it("a cluster never checked: get-credentials, with a note that the posture was not checked", async () => {
    await db.clusterPosture.deleteMany({ where: { clusterName: PROD } });
    const view = await loadRequestView(activeId, n01.viewer);
    expect(view.commands[0]!.command).toMatch(/^az aks get-credentials .*--name aks-prod-weu/);
    expect(view.commands[0]!.note).toMatch(/not been checked/);
  });

  it("a private cluster: az aks command invoke on the request page and My access, never get-credentials", async () => {
    await storePosture(PROD, { facts: facts({ isPrivate: true }) });
    expect((await commandsOf())[0]).toMatch(
      /^az aks command invoke .*--name aks-prod-weu --command "kubectl get pods -A"$/,
    );
    expect((await commandsOf()).join("\n")).not.toContain("get-credentials");
    const [active] = await listMyActiveRequests(n01.viewer);
    expect(active!.commands[0]!.command).toMatch(/^az aks command invoke /);
  });

  it("a public cluster: the kubeconfig signed in through the Azure CLI", async () => {
    await storePosture(PROD, { facts: facts() });
    expect(await commandsOf()).toEqual([
      expect.stringMatching(/^az aks get-credentials /),
      "kubelogin convert-kubeconfig -l azurecli",
      "kubelogin remove-tokens",
    ]);
  });

  it("facts that no longer parse read as unknown, not as an error", async () => {
    await storePosture(PROD, { facts: { isPrivate: "yes" }, error: "ARM said 403" });
    expect(await postureOf(PROD)).toMatchObject({ facts: null, error: "ARM said 403", findings: [] });
    expect((await loadRequestView(activeId, n01.viewer)).commands[0]!.note).toMatch(/not been checked/);
  });
});

describe("who sees the posture", () => {
  it("requesters see counts as badges; auditors and admins the page; only admins may check", async () => {
    await storePosture(PROD, { facts: facts({ areLocalAccountsDisabled: false }), standing });
    expect((await latestPostures()).map((p) => p.clusterName)).toContain(PROD);

    const badges = await clusterPostureBadges(n01.viewer);
    expect(badges[PROD]!.map((b) => b.text)).toEqual(["1 standing admin", "local accounts on"]);
    expect(JSON.stringify(badges)).not.toContain("owner@contoso.com");

    await expect(loadPostureOverview(n01.viewer)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const audited = await loadPostureOverview(aud01.viewer);
    expect(audited.canCheck).toBe(false);
    const prod = audited.clusters.find((c) => c.name === PROD)!;
    expect(prod.posture?.standing?.principals[0]?.userPrincipalName).toBe("owner@contoso.com");
    expect((await loadPostureOverview(adm01.viewer)).canCheck).toBe(true);
    // A cluster of the catalog without a row is listed as never checked.
    expect(audited.clusters.some((c) => c.posture === null)).toBe(true);

    await expect(runPostureCheck(aud01)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(runPostureCheck(n01)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
