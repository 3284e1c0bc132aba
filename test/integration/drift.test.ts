import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { listOpenDrift } from "@/lib/access/grant-queries";
import { reconcileAccess, reconcileNow } from "@/lib/access/reconcile-access";
import { requestAccess } from "@/lib/access/request-access";
import { resolveDrift } from "@/lib/access/resolve-drift";
import { grantTargets, type GrantTarget } from "@/lib/cloud/access-provider";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { providerFor } from "@/lib/cloud/providers";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { demoUser } from "../support/emulator-browser";
import { adminAccessOf } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/** The reconciler: access at the services that the ledger does not explain, and grants whose access vanished. */

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const dev = findRole(getCatalog(), "aks-dev-weu", "admin")!;
const [pimTarget, rbacTarget] = grantTargets(dev.cluster, dev.role, demoUser("aud01@contoso.com").id) as [
  GrantTarget,
  GrantTarget,
];
const findingsOf = async (principalId: string) =>
  (await db.driftFinding.findMany({ where: { principalId, resolvedAt: null } })).map(
    (f) => f.kind + ":" + f.bindingKey,
  );

afterAll(async () => {
  await expireDueAccess(minutes(new Date(), 24 * 60));
});

describe("drift", () => {
  it("finds access given behind AKS JIT's back, and an admin removes it", async () => {
    const now = new Date();
    const aud01 = pimTarget.principalId;
    const auditor = await contextFor("aud01@contoso.com", now); // signed in once: the drift list shows their name
    // Someone assigns aud01 in PIM and in Azure by hand, outside any request.
    await providerFor("entraPimGroup").apply(pimTarget, {
      startAt: now,
      endAt: minutes(now, 120),
      justification: "by hand",
      requestId: randomUUID(),
    });
    const scope = dev.cluster.resourceId;
    const standing = await armAuthorizationClient(dev.cluster.subscriptionId).roleAssignments.create(
      scope,
      randomUUID(),
      {
        roleDefinitionId: `/subscriptions/${dev.cluster.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${"roleDefinitionId" in rbacTarget.grant ? rbacTarget.grant.roleDefinitionId : ""}`,
        principalId: aud01,
        principalType: "User",
      },
    );

    await expect(reconcileNow(await contextFor("n01@contoso.com", now))).rejects.toMatchObject({ code: "FORBIDDEN" });
    const admin = await contextFor("adm01@contoso.com", now);
    const callsBefore = await db.auditEvent.count({ where: { type: "provider.call" } });
    const result = await reconcileNow(admin);
    expect(result.bindings).toBeGreaterThanOrEqual(4);
    // What the check read is summed up once per cluster, tied to who asked; the reads are not audit rows.
    const summaries = await db.auditEvent.findMany({
      where: { type: "drift.reconciled", correlationId: admin.origin.correlationId },
    });
    expect(summaries.map((e) => (e.data as { cluster: string }).cluster).sort()).toEqual(
      getCatalog()
        .clusters.map((c) => c.name)
        .sort(),
    );
    expect(await db.auditEvent.count({ where: { type: "provider.call" } })).toBe(callsBefore);
    expect((await findingsOf(aud01)).sort()).toEqual([
      `unexplained:armRoleAssignment:3498e952-d568-435e-9b2c-8d77e338d7f7:${scope.toLowerCase()}`,
      "unexplained:entraPimGroup:ffdebc24-7be9-4b76-887f-3a12aae9aada",
    ]);
    // A second run keeps one finding each, not two.
    await reconcileAccess(minutes(now, 1));
    expect(await findingsOf(aud01)).toHaveLength(2);
    const views = (await listOpenDrift(admin.viewer)).filter((f) => f.principalId === aud01);
    expect(views.map((v) => v.userPrincipalName)).toEqual(["aud01@contoso.com", "aud01@contoso.com"]);
    expect(views.find((v) => v.grantKind === "armRoleAssignment")?.providerId).toBe(standing.id);

    for (const view of views) await resolveDrift(view.id, "remove", admin);
    expect(await adminAccessOf("aud01@contoso.com", "aks-dev-weu")).toEqual({ pim: [], rbac: [] });
    expect(await findingsOf(aud01)).toEqual([]);
    const removed = await db.auditEvent.findMany({ where: { type: "drift.removed", actorUpn: "adm01@contoso.com" } });
    expect(removed.map((e) => (e.data as { principalId: string }).principalId)).toEqual([aud01, aud01]);
    await expect(resolveDrift(views[0]!.id, "remove", admin)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(resolveDrift(views[0]!.id, "remove", auditor)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("finds a grant whose assignment vanished, and an admin applies it again", async () => {
    const now = new Date();
    const started = minutes(now, -5);
    const request = await requestAccess(
      { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: "Drift check" },
      await contextFor("n02@contoso.com", started),
    );
    await takeQueuedJobs(QUEUES.activate, request.id);
    expect(await activateRequest(request.id, started)).toBe("active");
    const n02 = demoUser("n02@contoso.com").id;
    const [, n02Rbac] = grantTargets(dev.cluster, dev.role, n02) as [GrantTarget, GrantTarget];
    // Someone deletes the role assignment in the portal.
    await providerFor("armRoleAssignment").remove(n02Rbac, { requestId: request.id, justification: "by hand" });
    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toEqual([]);

    await reconcileAccess(now);
    const admin = await contextFor("adm01@contoso.com", now);
    const [missing, ...others] = (await listOpenDrift(admin.viewer)).filter((f) => f.principalId === n02);
    expect(others).toEqual([]);
    expect(missing).toMatchObject({ kind: "missing", grantKind: "armRoleAssignment" });
    await expect(resolveDrift(missing!.id, "remove", admin)).rejects.toMatchObject({ code: "CONFLICT" });

    await resolveDrift(missing!.id, "reapply", admin);
    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);
    await reconcileAccess(minutes(now, 1));
    expect(await findingsOf(n02)).toEqual([]);
    expect(await db.auditEvent.count({ where: { type: "drift.reapplied", subjectId: missing!.id } })).toBe(1);
  });

  it("closes a finding as gone when the access disappears by itself", async () => {
    const now = new Date();
    await providerFor("entraPimGroup").apply(pimTarget, {
      startAt: now,
      endAt: minutes(now, 120),
      justification: "by hand again",
      requestId: randomUUID(),
    });
    await reconcileAccess(now);
    const [finding] = await db.driftFinding.findMany({
      where: { principalId: pimTarget.principalId, resolvedAt: null },
    });
    expect(finding?.kind).toBe("unexplained");
    await providerFor("entraPimGroup").remove(pimTarget, { requestId: randomUUID(), justification: "tidy" });
    await reconcileAccess(minutes(now, 1));
    expect(await db.driftFinding.findUniqueOrThrow({ where: { id: finding!.id } })).toMatchObject({
      resolution: "gone",
    });
  });
});
