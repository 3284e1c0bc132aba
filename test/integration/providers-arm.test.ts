import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccessProvider,
  type Binding,
  type GrantTarget,
  type GrantWindow,
  grantTargets,
  ProviderError,
  scopeOf,
} from "@/lib/cloud/access-provider";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { armPimProvider } from "@/lib/cloud/providers/arm-pim";
import { armRoleAssignmentProvider } from "@/lib/cloud/providers/arm-role-assignment";
import { type CatalogCluster, findRole, type Grant, parseCatalog } from "@/lib/config/catalog-schema";
import { PROVISIONER_ROLE } from "@/lib/cloud/required-permissions";
import { env } from "@/lib/config/env";
import type { EmulatorState } from "../../emulator/state";
import { grantRole, revokeRole, SUBSCRIPTION_SCOPE, seededRoleAssignments } from "../support/azure-rbac";
import { demoUser } from "../support/emulator-browser";

/**
 * The ARM providers against the emulator, through the SDK they use: what ends up assigned in Azure
 * (the emulator's state), idempotence, leaving standing access alone, PIM's rules, and how throttling
 * and outages reach the job layer. Every test works on a cluster of its own, so none depends on another.
 */
const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";
const RBAC_READER = "7f6c6a51-bcf8-42ba-9220-52d62157d7db";
const VM_USER_LOGIN = "fb879df8-f326-4884-b1cf-06f3ad86be52";
const n01 = demoUser("n01@contoso.com").id;
const n02 = demoUser("n02@contoso.com").id;
const aud01 = demoUser("aud01@contoso.com").id;
const adm01 = demoUser("adm01@contoso.com").id;

const catalog = parseCatalog(readFileSync("jit.catalog.yaml", "utf8"), "jit.catalog.yaml");

/** A copy of a demo cluster under fresh resource groups: same roles and grants, scopes nobody else uses. */
function freshCluster(name = "aks-prod-weu"): CatalogCluster {
  const cluster = catalog.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`no cluster ${name} in jit.catalog.yaml`);
  const id = randomUUID().slice(0, 8);
  return {
    ...cluster,
    resourceId: `/subscriptions/${SUB}/resourceGroups/rg-prov-${id}/providers/Microsoft.ContainerService/managedClusters/${cluster.name}`,
    nodeResourceGroup: `MC_rg-prov-${id}_${cluster.name}_westeurope`,
  };
}

/** The catalog's Azure role assignment grants of a role, on a fresh copy of its cluster. */
function catalogArmTargets(roleName: string, principalId: string) {
  const cluster = freshCluster();
  const role = findRole(catalog, "aks-prod-weu", roleName)?.role;
  if (!role) throw new Error(`no role ${roleName}`);
  return grantTargets(cluster, role, principalId).filter((t) => t.grant.kind === "armRoleAssignment");
}

function pimTarget(
  principalId: string,
  roleDefinitionId = RBAC_READER,
  scope: "cluster" | "nodeResourceGroup" = "cluster",
) {
  const [target] = grantTargets(freshCluster(), { grants: [{ kind: "armPim", roleDefinitionId, scope }] }, principalId);
  return target!;
}

/** One grant for one person on a given cluster: for bindings that differ from another only in role or scope. */
function targetOn(cluster: CatalogCluster, grant: Grant, principalId: string) {
  return grantTargets(cluster, { grants: [grant] }, principalId)[0]!;
}

/** The target's role and scope without its person: what list() reads. */
const bindingOf = ({ grant, clusterResourceId, nodeResourceGroupId }: GrantTarget): Binding => ({
  grant,
  clusterResourceId,
  nodeResourceGroupId,
});

/** The resource group a cluster is in: a scope above the cluster's, whose assignments the cluster inherits. */
const resourceGroupOf = (cluster: CatalogCluster) => cluster.resourceId.split("/providers/")[0]!;

const byPrincipal = <T extends { principalId: string }>(items: T[]) =>
  [...items].sort((a, b) => a.principalId.localeCompare(b.principalId));

function windowOf(minutes: number, startAt = new Date()): GrantWindow {
  return {
    startAt,
    endAt: new Date(startAt.getTime() + minutes * 60_000),
    justification: "Investigating INC0042",
    ticket: "INC0042",
    requestId: randomUUID(),
  };
}

/** The role assignments Azure holds at the target's scope, for its person (the emulator's inspection endpoint). */
async function assignedAt(target: GrantTarget) {
  const response = await fetch(`${env.ARM_BASE_URL}/_emulator/state`);
  const state = (await response.json()) as EmulatorState;
  const scope = scopeOf(target).toLowerCase();
  return state.roleAssignments.filter((a) => a.scope.toLowerCase() === scope && a.principalId === target.principalId);
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected the provider to fail");
}

async function injectFault(fault: Record<string, unknown>) {
  const response = await fetch(`${env.ARM_BASE_URL}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(201);
}

async function clearFaults() {
  await fetch(`${env.ARM_BASE_URL}/_emulator/faults`, { method: "DELETE" });
}

/** A standing assignment someone made by hand, under a name of their own (at the target's scope unless given). */
async function createStanding(target: GrantTarget, roleGuid: string, scope = scopeOf(target)) {
  const created = await armAuthorizationClient(SUB).roleAssignments.create(scope.slice(1), randomUUID(), {
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
    principalId: target.principalId,
    principalType: "User",
  });
  const name = created.name!;
  cleanups.push(() => armAuthorizationClient(SUB).roleAssignments.delete(scope.slice(1), name));
  return created.id!;
}

// Whatever a failing test leaves behind is removed, so that it cannot make another test pass or fail.
const cleanups: Array<() => Promise<unknown>> = [];
const track = (provider: AccessProvider, target: GrantTarget) => {
  cleanups.push(() => provider.remove(target, { requestId: randomUUID(), justification: "Test clean-up" }));
  return target;
};

// The tests below work on copies of the demo clusters under fresh resource groups, where the demo tenant
// gives the app no role: it holds its provisioner role on the whole subscription meanwhile (the
// "Azure RBAC" tests take it away to see what the demo tenant's own assignments allow).
let subscriptionGrant = "";
beforeAll(async () => {
  subscriptionGrant = await grantRole(SUBSCRIPTION_SCOPE);
});

afterAll(async () => {
  await clearFaults();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await revokeRole(subscriptionGrant);
});

describe("armRoleAssignment provider", () => {
  const provider = armRoleAssignmentProvider;

  it("assigns the catalog role at its scope without an end, and finds it again", async () => {
    const targets = [...catalogArmTargets("admin", n01), ...catalogArmTargets("node-access", n01)].map((t) =>
      track(provider, t),
    );
    expect(targets.map((t) => t.grant)).toEqual([
      { kind: "armRoleAssignment", roleDefinitionId: RBAC_ADMIN, scope: "cluster" },
      { kind: "armRoleAssignment", roleDefinitionId: VM_USER_LOGIN, scope: "nodeResourceGroup" },
    ]);
    for (const target of targets) {
      expect(await provider.read(target)).toEqual({ isActive: false });
      const result = await provider.apply(target, windowOf(60));
      const assigned = await assignedAt(target);
      expect(assigned).toHaveLength(1);
      expect(assigned[0]).toMatchObject({
        roleDefinitionId: (target.grant as { roleDefinitionId: string }).roleDefinitionId,
        endDateTime: null,
      });
      expect(result).toEqual({ providerRequestId: assigned[0]!.id, enforcedEndAt: null });
      expect(await provider.read(target)).toEqual({ isActive: true, endAt: null, providerId: assigned[0]!.id });
    }
  });

  it("applies twice to the same assignment, and extending changes nothing in Azure", async () => {
    const [target] = catalogArmTargets("admin", n01).map((t) => track(provider, t));
    const first = await provider.apply(target!, windowOf(60));
    const second = await provider.apply(target!, windowOf(120));
    expect(second.providerRequestId).toBe(first.providerRequestId);
    expect(await provider.extend(target!, windowOf(180))).toEqual({
      providerRequestId: first.providerRequestId,
      enforcedEndAt: null,
    });
    expect(await assignedAt(target!)).toEqual([
      expect.objectContaining({ id: first.providerRequestId, endDateTime: null }),
    ]);
  });

  it("removes the assignment, and removing it again still succeeds", async () => {
    const [target] = catalogArmTargets("admin", n02).map((t) => track(provider, t));
    await provider.apply(target!, windowOf(60));
    expect(await assignedAt(target!)).toHaveLength(1);
    await provider.remove(target!, { requestId: randomUUID(), justification: "Done" });
    expect(await assignedAt(target!)).toEqual([]);
    expect(await provider.read(target!)).toEqual({ isActive: false });
    await expect(provider.remove(target!, { requestId: randomUUID(), justification: "Done" })).resolves.toMatchObject({
      enforcedEndAt: null,
    });
  });

  it("keeps one person's assignment when another's at the same scope is removed", async () => {
    const [forN01] = catalogArmTargets("admin", n01).map((t) => track(provider, t));
    const forN02 = track(provider, { ...forN01!, principalId: n02 });
    await provider.apply(forN01!, windowOf(60));
    await provider.apply(forN02, windowOf(60));
    await provider.remove(forN01!, { requestId: randomUUID(), justification: "Done" });
    expect(await assignedAt(forN01!)).toEqual([]);
    expect(await assignedAt(forN02)).toHaveLength(1);
  });

  it("lists everyone assigned the role at exactly its scope, and no longer those removed", async () => {
    const cluster = freshCluster();
    const grant = { kind: "armRoleAssignment", roleDefinitionId: RBAC_ADMIN, scope: "cluster" } as const;
    const first = track(provider, targetOn(cluster, grant, n01));
    const second = track(provider, targetOn(cluster, grant, n02));
    const applied = [await provider.apply(first, windowOf(60)), await provider.apply(second, windowOf(60))];
    // Not this binding: another role at the same scope, the same role on the node resource group,
    // and the same role one scope up (inherited by the cluster).
    await provider.apply(
      track(provider, targetOn(cluster, { ...grant, roleDefinitionId: RBAC_READER }, aud01)),
      windowOf(60),
    );
    await provider.apply(
      track(provider, targetOn(cluster, { ...grant, scope: "nodeResourceGroup" }, aud01)),
      windowOf(60),
    );
    await createStanding(targetOn(cluster, grant, aud01), RBAC_ADMIN, resourceGroupOf(cluster));

    expect(byPrincipal(await provider.list(bindingOf(first)))).toEqual(
      byPrincipal([
        { principalId: n01, endAt: null, providerId: applied[0]!.providerRequestId },
        { principalId: n02, endAt: null, providerId: applied[1]!.providerRequestId },
      ]),
    );

    await provider.remove(first, { requestId: randomUUID(), justification: "Done" });

    expect(await provider.list(bindingOf(first))).toEqual([
      { principalId: n02, endAt: null, providerId: applied[1]!.providerRequestId },
    ]);
  });

  // Guards against deleting access AKS JIT did not give: a standing assignment of the same role.
  it("succeeds over a standing assignment and leaves it in place on removal", async () => {
    const [target] = catalogArmTargets("admin", aud01).map((t) => track(provider, t));
    const standingId = await createStanding(target!, RBAC_ADMIN);

    const result = await provider.apply(target!, windowOf(60));
    expect(result.enforcedEndAt).toBeNull();
    expect(result.providerRequestId).toContain(standingId);
    expect(result.providerRequestId).toMatch(/standing/i);
    expect((await assignedAt(target!)).map((a) => a.id)).toEqual([standingId]);

    await provider.remove(target!, { requestId: randomUUID(), justification: "Done" });
    expect((await assignedAt(target!)).map((a) => a.id)).toEqual([standingId]);
  });
});

describe("armPim provider", () => {
  const provider = armPimProvider;

  it("assigns through PIM with the requested end, once however often it is applied", async () => {
    const target = track(provider, pimTarget(n01));
    expect(await provider.read(target)).toEqual({ isActive: false });
    const window = windowOf(60);

    const result = await provider.apply(target, window);
    expect(result.enforcedEndAt).toEqual(window.endAt);
    expect(result.providerRequestId).toMatch(
      /\/providers\/Microsoft\.Authorization\/RoleAssignmentScheduleRequests\//i,
    );
    const assigned = await assignedAt(target);
    expect(assigned).toEqual([
      expect.objectContaining({ roleDefinitionId: RBAC_READER, endDateTime: window.endAt.toISOString() }),
    ]);
    expect(await provider.read(target)).toEqual({ isActive: true, endAt: window.endAt, providerId: assigned[0]!.id });

    const again = await provider.apply(target, window);
    expect(again.enforcedEndAt).toEqual(window.endAt);
    expect(await assignedAt(target)).toEqual(assigned);
  });

  it("applying a later end over an active assignment moves its end", async () => {
    const target = track(provider, pimTarget(n02, RBAC_ADMIN, "nodeResourceGroup"));
    await provider.apply(target, windowOf(60));
    const longer = windowOf(120);
    expect((await provider.apply(target, longer)).enforcedEndAt).toEqual(longer.endAt);
    expect(await assignedAt(target)).toEqual([expect.objectContaining({ endDateTime: longer.endAt.toISOString() })]);
  });

  it("extends the end, and assigns again when nothing is active to extend", async () => {
    const target = track(provider, pimTarget(n01));
    const window = windowOf(60);
    await provider.apply(target, window);
    const extended = { ...window, endAt: new Date(window.endAt.getTime() + 2 * 3_600_000) };
    const result = await provider.extend(target, extended);
    expect(result.enforcedEndAt).toEqual(extended.endAt);
    expect(await assignedAt(target)).toEqual([expect.objectContaining({ endDateTime: extended.endAt.toISOString() })]);
    expect(await provider.read(target)).toMatchObject({ isActive: true, endAt: extended.endAt });

    const idle = track(provider, pimTarget(n02));
    const fresh = windowOf(30);
    expect((await provider.extend(idle, fresh)).enforcedEndAt).toEqual(fresh.endAt);
    expect(await assignedAt(idle)).toEqual([expect.objectContaining({ endDateTime: fresh.endAt.toISOString() })]);
  });

  it("removes the assignment, and removing it again still succeeds", async () => {
    const target = track(provider, pimTarget(aud01));
    await provider.apply(target, windowOf(60));
    expect(await assignedAt(target)).toHaveLength(1);
    const removed = await provider.remove(target, { requestId: randomUUID(), justification: "Done" });
    expect(removed.providerRequestId).toMatch(/RoleAssignmentScheduleRequests\//i);
    expect(await assignedAt(target)).toEqual([]);
    expect(await provider.read(target)).toEqual({ isActive: false });
    await expect(provider.remove(target, { requestId: randomUUID(), justification: "Done" })).resolves.toMatchObject({
      enforcedEndAt: null,
    });
  });

  // Guards against AKS JIT ending or shortening standing access it did not give.
  it("leaves a permanent assignment of the same role alone on apply, extend and remove", async () => {
    const target = track(provider, pimTarget(n01));
    const standingId = await createStanding(target, RBAC_READER);
    const applied = await provider.apply(target, windowOf(60));
    expect(applied).toEqual({ providerRequestId: expect.stringContaining(standingId), enforcedEndAt: null });
    await provider.extend(target, windowOf(120));
    await provider.remove(target, { requestId: randomUUID(), justification: "Done" });
    expect(await assignedAt(target)).toEqual([expect.objectContaining({ id: standingId, endDateTime: null })]);
  });

  it("lists everyone holding the role at exactly its scope with their end, and no longer those removed", async () => {
    const cluster = freshCluster();
    const grant = { kind: "armPim", roleDefinitionId: RBAC_READER, scope: "cluster" } as const;
    const first = track(provider, targetOn(cluster, grant, n01));
    const second = track(provider, targetOn(cluster, grant, n02));
    const [firstWindow, secondWindow] = [windowOf(60), windowOf(120)];
    await provider.apply(first, firstWindow);
    await provider.apply(second, secondWindow);
    // A permanent assignment made by hand: listed too, with no end.
    const standingId = await createStanding(targetOn(cluster, grant, aud01), RBAC_READER);
    // Not this binding: another role at the same scope, the same role on the node resource group,
    // and the same role one scope up (inherited by the cluster).
    await provider.apply(
      track(provider, targetOn(cluster, { ...grant, roleDefinitionId: RBAC_ADMIN }, aud01)),
      windowOf(60),
    );
    await provider.apply(
      track(provider, targetOn(cluster, { ...grant, scope: "nodeResourceGroup" }, aud01)),
      windowOf(60),
    );
    await createStanding(targetOn(cluster, grant, adm01), RBAC_READER, resourceGroupOf(cluster));
    const [firstId, secondId] = [(await assignedAt(first))[0]!.id, (await assignedAt(second))[0]!.id];

    expect(byPrincipal(await provider.list(bindingOf(first)))).toEqual(
      byPrincipal([
        { principalId: n01, endAt: firstWindow.endAt, providerId: firstId },
        { principalId: n02, endAt: secondWindow.endAt, providerId: secondId },
        { principalId: aud01, endAt: null, providerId: standingId },
      ]),
    );

    await provider.remove(first, { requestId: randomUUID(), justification: "Done" });

    expect(byPrincipal(await provider.list(bindingOf(first)))).toEqual(
      byPrincipal([
        { principalId: n02, endAt: secondWindow.endAt, providerId: secondId },
        { principalId: aud01, endAt: null, providerId: standingId },
      ]),
    );
  });

  it("reports PIM's expiration rule as a policy failure that retrying will not fix", async () => {
    const target = track(provider, pimTarget(n01));
    // Over the policy's Expiration_Admin_Assignment maximum (P180D).
    const error = await failureOf(provider.apply(target, windowOf(181 * 24 * 60)));
    expect(error).toMatchObject({
      kind: "policy",
      status: 400,
      code: "RoleAssignmentRequestPolicyValidationFailed",
      failedRules: ["ExpirationRule"],
      isRetryable: false,
    });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain("Azure Kubernetes Service RBAC Reader on aks-prod-weu");
    expect(await assignedAt(target)).toEqual([]);
  });

  it("reports a lasting outage as transient once the SDK's own retries are spent", { timeout: 60_000 }, async () => {
    const target = track(provider, pimTarget(n02));
    const group = target.clusterResourceId.split("/")[4];
    try {
      await injectFault({ path: `${group}/.*roleAssignmentScheduleRequests`, method: "PUT", count: 5, status: 500 });
      const error = await failureOf(provider.apply(target, windowOf(60)));
      expect(error).toMatchObject({ kind: "transient", status: 500, isRetryable: true });
      expect(await assignedAt(target)).toEqual([]);
    } finally {
      await clearFaults();
    }
  });

  it(
    "reports throttling with Azure's Retry-After once the SDK's own retries are spent",
    { timeout: 60_000 },
    async () => {
      const target = track(provider, pimTarget(aud01));
      const group = target.clusterResourceId.split("/")[4];
      try {
        await injectFault({
          path: `${group}/.*roleAssignmentScheduleRequests`,
          method: "PUT",
          count: 5,
          status: 429,
          retryAfter: 1,
        });
        const error = await failureOf(provider.apply(target, windowOf(60)));
        expect(error).toMatchObject({ kind: "throttled", status: 429, retryAfterSeconds: 1, isRetryable: true });
        expect(await assignedAt(target)).toEqual([]);
      } finally {
        await clearFaults();
      }
    },
  );
});

describe("Azure RBAC on the app's own identity", () => {
  const RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"; // Role Based Access Control Administrator
  const prod = catalog.clusters.find((c) => c.name === "aks-prod-weu")!;
  const onProd = (grant: Grant) => targetOn(prod, grant, adm01);
  const pimOnCluster = onProd({ kind: "armPim", roleDefinitionId: RBAC_READER, scope: "cluster" });
  const pimOnNodes = onProd({ kind: "armPim", roleDefinitionId: VM_USER_LOGIN, scope: "nodeResourceGroup" });
  const rbacOnCluster = onProd({ kind: "armRoleAssignment", roleDefinitionId: RBAC_ADMIN, scope: "cluster" });
  const rbacOnNodes = onProd({
    kind: "armRoleAssignment",
    roleDefinitionId: VM_USER_LOGIN,
    scope: "nodeResourceGroup",
  });
  const done = () => ({ requestId: randomUUID(), justification: "Done" });

  // Only what the demo tenant gives (and the README asks for): no role on the subscription.
  beforeAll(async () => {
    await revokeRole(subscriptionGrant);
  });
  afterAll(async () => {
    subscriptionGrant = await grantRole(SUBSCRIPTION_SCOPE);
  });

  /** Takes the app's seeded provisioner role on the prod cluster away for `run`, and gives it back. */
  async function withoutProvisionerRoleOnProd(run: () => Promise<void>) {
    const seeded = (await seededRoleAssignments()).find(
      (a) => a.scope === prod.resourceId && a.roleDefinitionId === PROVISIONER_ROLE.id,
    );
    expect(seeded).toBeDefined();
    await revokeRole(seeded!.name);
    try {
      await run();
    } finally {
      await grantRole(prod.resourceId);
    }
  }

  it("with exactly the demo tenant's role assignments, both ARM grant kinds apply, extend and remove", async () => {
    for (const [provider, target] of [
      [armPimProvider, pimOnCluster],
      [armPimProvider, pimOnNodes],
      [armRoleAssignmentProvider, rbacOnCluster],
      [armRoleAssignmentProvider, rbacOnNodes],
    ] as const) {
      track(provider, target);
      const window = windowOf(60);
      await provider.apply(target, window);
      expect(await assignedAt(target)).toHaveLength(1);
      await provider.extend(target, { ...window, endAt: new Date(window.endAt.getTime() + 3_600_000) });
      expect(await provider.read(target)).toMatchObject({ isActive: true });
      expect(await provider.list(bindingOf(target))).toEqual([expect.objectContaining({ principalId: adm01 })]);
      await provider.remove(target, done());
      expect(await assignedAt(target)).toEqual([]);
    }
  });

  it("without its role on the cluster, armPim fails with 403 AuthorizationFailed naming the action it lacks", async () => {
    await withoutProvisionerRoleOnProd(async () => {
      const error = await failureOf(armPimProvider.apply(track(armPimProvider, pimOnCluster), windowOf(60)));
      expect(error).toMatchObject({ kind: "forbidden", status: 403, code: "AuthorizationFailed", isRetryable: false });
      expect(error.message).toContain("'Microsoft.Authorization/roleAssignmentScheduleRequests/write'");
      expect(error.message).toContain(`over ${prod.resourceId}`);
      expect(error.message).toContain(`"${PROVISIONER_ROLE.roleName}"`);
      const plain = await failureOf(
        armRoleAssignmentProvider.apply(track(armRoleAssignmentProvider, rbacOnCluster), windowOf(60)),
      );
      expect(plain).toMatchObject({ kind: "forbidden", code: "AuthorizationFailed" });
      expect(plain.message).toContain("'Microsoft.Authorization/roleAssignments/write'");
      // The node resource group keeps its own assignment: grants there still work.
      await armPimProvider.apply(track(armPimProvider, pimOnNodes), windowOf(60));
      await armPimProvider.remove(pimOnNodes, done());
    });
    expect(await assignedAt(pimOnCluster)).toEqual([]);
  });

  // Regression: the README once named "Role Based Access Control Administrator" for the app, which has
  // roleAssignments/write but not roleAssignmentScheduleRequests/write: every armPim grant failed in Azure.
  it("holding only Role Based Access Control Administrator, armRoleAssignment works and armPim is refused", async () => {
    await withoutProvisionerRoleOnProd(async () => {
      const rbacAdministrator = await grantRole(prod.resourceId, RBAC_ADMINISTRATOR);
      try {
        track(armRoleAssignmentProvider, rbacOnCluster);
        await armRoleAssignmentProvider.apply(rbacOnCluster, windowOf(60));
        expect(await assignedAt(rbacOnCluster)).toHaveLength(1);
        await armRoleAssignmentProvider.remove(rbacOnCluster, done());
        expect(await assignedAt(rbacOnCluster)).toEqual([]);

        const error = await failureOf(armPimProvider.apply(track(armPimProvider, pimOnCluster), windowOf(60)));
        expect(error).toMatchObject({ kind: "forbidden", status: 403, code: "AuthorizationFailed" });
        expect(error.message).toContain("'Microsoft.Authorization/roleAssignmentScheduleRequests/write'");
        expect(await assignedAt(pimOnCluster)).toEqual([]);
      } finally {
        await revokeRole(rbacAdministrator);
      }
    });
  });
});
