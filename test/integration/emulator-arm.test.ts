import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { ensureCertificates } from "../../emulator/certs";
import { type RunningEmulator, startEmulator } from "../../emulator/server";
import type { EmulatorState } from "../../emulator/state";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { CERT_DIR } from "../../scripts/lib/paths";
import { demoUser } from "../support/emulator-browser";

/**
 * The emulator's ARM contract (azure-contracts.md B, C, E), through the SDK the app uses:
 * the status codes @azure/arm-authorization insists on, ARM's error envelope, PIM's rules, the
 * end of time-bound assignments, throttling, and the AKS clusters of the demo catalog.
 */
const EMU = env.ENTRA_AUTHORITY_HOST;
const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const ARM_SCOPE = "https://management.azure.com/.default";
const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";
const RBAC_READER = "7f6c6a51-bcf8-42ba-9220-52d62157d7db";
const VM_USER_LOGIN = "fb879df8-f326-4884-b1cf-06f3ad86be52";
const roleId = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const n01 = demoUser("n01@contoso.com").id;
const n02 = demoUser("n02@contoso.com").id;
const p01 = demoUser("p01@contoso.com").id;

/** A resource group scope of its own per test, so that tests sharing the emulator never collide. */
const freshScope = () => `/subscriptions/${SUB}/resourceGroups/rg-test-${randomUUID().slice(0, 8)}`;

function arm(emulatorUrl = EMU) {
  const credential = new ClientSecretCredential(env.ENTRA_TENANT_ID, env.ENTRA_CLIENT_ID, env.ENTRA_CLIENT_SECRET!, {
    authorityHost: emulatorUrl,
    disableInstanceDiscovery: true,
  });
  const client = new AuthorizationManagementClient(credential, SUB, {
    endpoint: emulatorUrl,
    credentialScopes: [ARM_SCOPE],
  });
  let attempts = 0;
  // After the retry phase, so that every attempt the retry policy makes is counted.
  client.pipeline.addPolicy(
    { name: "count-attempts", sendRequest: (request, next) => (attempts++, next(request)) },
    { afterPhase: "Retry" },
  );
  return { client, credential, attempts: () => attempts };
}

const APP_SERVICE_PRINCIPAL = Tenant.fromFile(DEMO_TENANT_FILE).applications[0]!.servicePrincipalId;

/**
 * Every item of a list, but the app's own role assignments: the role it holds on the subscription
 * for these tests (below) is inherited by every scope they list at, as Azure would list it too.
 */
async function all<T>(items: AsyncIterable<T>) {
  const out: T[] = [];
  for await (const item of items) {
    if ((item as { principalId?: string }).principalId !== APP_SERVICE_PRINCIPAL) out.push(item);
  }
  return out;
}

async function stateAssignments(emulatorUrl = EMU) {
  const state = (await (await fetch(`${emulatorUrl}/_emulator/state`)).json()) as EmulatorState;
  return state.roleAssignments;
}

const USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";

/** A permanent role assignment made outside ARM (the emulator's knob); returns its name. */
async function knobAssign(principalId: string, roleGuid: string, scope: string, emulatorUrl = EMU) {
  const response = await fetch(`${emulatorUrl}/_emulator/azure/roleAssignments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ principalId, roleDefinitionId: roleGuid, scope }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { name: string }).name;
}

async function knobRemove(name: string, emulatorUrl = EMU) {
  expect((await fetch(`${emulatorUrl}/_emulator/azure/roleAssignments/${name}`, { method: "DELETE" })).status).toBe(
    204,
  );
}

/**
 * The emulator enforces Azure RBAC, and the demo tenant gives the app its provisioner role on the demo
 * clusters only. These tests of the endpoints' contract work on scopes of their own, so the app holds
 * User Access Administrator (all of Microsoft.Authorization, every read) on the subscription meanwhile.
 */
const grantAppTheSubscription = (emulatorUrl = EMU) =>
  knobAssign(env.ENTRA_CLIENT_ID, USER_ACCESS_ADMINISTRATOR, `/subscriptions/${SUB}`, emulatorUrl);

let subscriptionGrant = "";
beforeAll(async () => {
  subscriptionGrant = await grantAppTheSubscription();
});
afterAll(() => knobRemove(subscriptionGrant));

function adminAssign(principalId: string, duration: string, start = new Date()) {
  return {
    principalId,
    roleDefinitionId: roleId(RBAC_ADMIN),
    requestType: "AdminAssign",
    scheduleInfo: { startDateTime: start, expiration: { type: "AfterDuration", duration } },
    justification: "Investigating INC0042",
    ticketInfo: { ticketNumber: "INC0042", ticketSystem: "ServiceNow" },
  };
}

describe("ARM emulator: roleAssignments and roleDefinitions", () => {
  const { client, attempts } = arm();

  it("creates (201), reads, refuses a duplicate under another name (409, not retried) and deletes (200, then 204)", async () => {
    const scope = freshScope();
    const name = randomUUID();
    const params = { roleDefinitionId: roleId(VM_USER_LOGIN), principalId: n01, principalType: "User" };
    let status = 0;
    const created = await client.roleAssignments.create(scope, name, params, {
      onResponse: (r) => (status = r.status),
    });
    expect(status).toBe(201);
    expect(created).toMatchObject({ id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, name });
    expect(created).toMatchObject({ type: "Microsoft.Authorization/roleAssignments", scope, principalId: n01 });
    expect(created.roleDefinitionId?.endsWith(VM_USER_LOGIN)).toBe(true);
    expect(created.createdOn).toBeInstanceOf(Date);

    await client.roleAssignments.create(scope, name, params, { onResponse: (r) => (status = r.status) });
    expect(status).toBe(200);
    expect(await client.roleAssignments.get(scope, name)).toMatchObject({ name, principalId: n01, scope });

    const before = attempts();
    await expect(client.roleAssignments.create(scope, randomUUID(), params)).rejects.toMatchObject({
      name: "RestError",
      statusCode: 409,
      code: "RoleAssignmentExists",
    });
    expect(attempts() - before).toBe(1);

    await client.roleAssignments.delete(scope, name, { onResponse: (r) => (status = r.status) });
    expect(status).toBe(200);
    await client.roleAssignments.delete(scope, name, { onResponse: (r) => (status = r.status) });
    expect(status).toBe(204);
    await expect(client.roleAssignments.get(scope, name)).rejects.toMatchObject({
      statusCode: 404,
      code: "RoleAssignmentNotFound",
    });
  });

  it("lists at a scope with atScope(), principalId and assignedTo() filters, including inherited assignments", async () => {
    const rg = freshScope();
    const cluster = `${rg}/providers/Microsoft.ContainerService/managedClusters/aks-test`;
    const approvers = "09ecf0d7-9504-4f6c-b557-71f30e9759bf"; // the demo `approver` group: n02 and p01
    const onRg = await client.roleAssignments.create(rg, randomUUID(), {
      roleDefinitionId: roleId(RBAC_READER),
      principalId: n02,
    });
    const onCluster = await client.roleAssignments.create(cluster, randomUUID(), {
      roleDefinitionId: roleId(RBAC_ADMIN),
      principalId: p01,
    });
    const toGroup = await client.roleAssignments.create(cluster, randomUUID(), {
      roleDefinitionId: roleId(RBAC_READER),
      principalId: approvers,
      principalType: "Group",
    });
    const names = (list: Array<{ name?: string }>) => list.map((a) => a.name).sort();

    expect(names(await all(client.roleAssignments.listForScope(rg)))).toEqual(
      names([onRg, onCluster, toGroup]), // at and below
    );
    expect(names(await all(client.roleAssignments.listForScope(cluster, { filter: "atScope()" })))).toEqual(
      names([onRg, onCluster, toGroup]), // at and above: the resource group's assignment is inherited
    );
    expect(names(await all(client.roleAssignments.listForScope(rg, { filter: "atScope()" })))).toEqual([onRg.name]);
    expect(names(await all(client.roleAssignments.listForScope(rg, { filter: `principalId eq '${p01}'` })))).toEqual([
      onCluster.name,
    ]);
    expect(names(await all(client.roleAssignments.listForScope(cluster, { filter: `assignedTo('${p01}')` })))).toEqual(
      names([onCluster, toGroup]), // directly and through the approver group
    );
  });

  it("pages with an absolute nextLink that the SDK follows", async () => {
    const scope = freshScope();
    const roles = [RBAC_ADMIN, RBAC_READER, VM_USER_LOGIN];
    const principals = demoUserIds();
    const pairs = roles.flatMap((role) => principals.map((principalId) => ({ role, principalId }))).slice(0, 25);
    expect(pairs.length).toBeGreaterThan(20);
    await Promise.all(
      pairs.map(({ role, principalId }) =>
        client.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleId(role), principalId }),
      ),
    );
    const token = await armToken();
    const first = await (
      await fetch(`${EMU}${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
    expect(first.value.length).toBeLessThan(pairs.length);
    expect(first.nextLink).toMatch(new RegExp(`^${EMU}${scope}/providers/Microsoft.Authorization/roleAssignments\\?`));
    expect(await all(client.roleAssignments.listForScope(scope))).toHaveLength(pairs.length);
  });

  it("refuses an unknown role definition or principal with 400 and ARM's codes", async () => {
    const scope = freshScope();
    await expect(
      client.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleId(randomUUID()), principalId: n01 }),
    ).rejects.toMatchObject({ statusCode: 400, code: "RoleDefinitionDoesNotExist" });
    await expect(
      client.roleAssignments.create(scope, randomUUID(), {
        roleDefinitionId: roleId(RBAC_ADMIN),
        principalId: randomUUID(),
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
  });

  it("accepts the scope with or without its leading slash (the SDK then sends `//subscriptions/...`)", async () => {
    const scope = freshScope();
    const name = randomUUID();
    await client.roleAssignments.create(scope.slice(1), name, {
      roleDefinitionId: roleId(RBAC_ADMIN),
      principalId: n01,
    });
    expect(await client.roleAssignments.get(scope, name)).toMatchObject({ scope });
  });

  it("lists role definitions by roleName and gets one by id", async () => {
    const found = await all(
      client.roleDefinitions.list(`/subscriptions/${SUB}`, {
        filter: "roleName eq 'Azure Kubernetes Service RBAC Admin'",
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ name: RBAC_ADMIN, roleName: "Azure Kubernetes Service RBAC Admin" });
    expect(found[0]).toMatchObject({ roleType: "BuiltInRole", type: "Microsoft.Authorization/roleDefinitions" });
    const vm = await client.roleDefinitions.get(`/subscriptions/${SUB}`, VM_USER_LOGIN);
    expect(vm.roleName).toBe("Virtual Machine User Login");
    await expect(client.roleDefinitions.get(`/subscriptions/${SUB}`, randomUUID())).rejects.toMatchObject({
      statusCode: 404,
      code: "RoleDefinitionDoesNotExist",
    });
  });
});

function demoUserIds() {
  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  return [...tenant.users.map((u) => u.id), ...tenant.groups.map((g) => g.id)];
}

async function armToken(emulatorUrl = EMU) {
  return (await arm(emulatorUrl).credential.getToken(ARM_SCOPE)).token;
}

describe("ARM emulator: PIM roleAssignmentScheduleRequests", () => {
  const { client } = arm();

  it("AdminAssign PT1H is Provisioned (201) and shows in instances, schedules, roleAssignments and the state", async () => {
    const scope = freshScope();
    let status = 0;
    const request = await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "PT1H"), {
      onResponse: (r) => (status = r.status),
    });
    expect(status).toBe(201);
    expect(request).toMatchObject({ status: "Provisioned", requestType: "AdminAssign", principalId: n01, scope });
    expect(request).toMatchObject({ type: "Microsoft.Authorization/RoleAssignmentScheduleRequests" });
    expect(request.ticketInfo).toEqual({ ticketNumber: "INC0042", ticketSystem: "ServiceNow" });
    expect(request.targetRoleAssignmentScheduleId).toBeTruthy();
    expect(await client.roleAssignmentScheduleRequests.get(scope, request.name!)).toMatchObject({
      status: "Provisioned",
    });

    const instances = await all(
      client.roleAssignmentScheduleInstances.listForScope(scope, { filter: `assignedTo('${n01}')` }),
    );
    expect(instances).toHaveLength(1);
    const end = instances[0]!.endDateTime!.getTime() - instances[0]!.startDateTime!.getTime();
    expect(end).toBe(3600_000);
    expect(instances[0]).toMatchObject({ assignmentType: "Assigned", memberType: "Direct", principalId: n01 });
    const schedules = await all(client.roleAssignmentSchedules.listForScope(scope, { filter: "atScope()" }));
    expect(schedules.map((s) => s.name)).toEqual([request.targetRoleAssignmentScheduleId]);

    const assignments = await all(client.roleAssignments.listForScope(scope, { filter: `principalId eq '${n01}'` }));
    expect(assignments).toHaveLength(1);
    expect(instances[0]!.originRoleAssignmentId).toBe(assignments[0]!.id);
    expect(await stateAssignments()).toContainEqual({
      id: assignments[0]!.id,
      scope,
      roleDefinitionId: RBAC_ADMIN,
      principalId: n01,
      endDateTime: instances[0]!.endDateTime!.toISOString(),
    });
    expect(await all(client.roleEligibilityScheduleInstances.listForScope(scope))).toEqual([]);
  });

  it("refuses over P180D (ExpirationRule), no expiry, a missing justification and a second AdminAssign (RoleAssignmentExists)", async () => {
    const scope = freshScope();
    // Admin assignments follow the policy's Expiration_Admin_Assignment (P180D), not activations' PT8H.
    await expect(
      client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "P181D")),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentRequestPolicyValidationFailed",
      message: 'The following policy rules failed: ["ExpirationRule"]',
    });
    const permanent = { ...adminAssign(n01, "PT1H"), scheduleInfo: { expiration: { type: "NoExpiration" } } };
    await expect(client.roleAssignmentScheduleRequests.create(scope, randomUUID(), permanent)).rejects.toMatchObject({
      code: "RoleAssignmentRequestPolicyValidationFailed",
    });
    const unjustified = { ...adminAssign(n01, "PT1H"), justification: undefined };
    await expect(client.roleAssignmentScheduleRequests.create(scope, randomUUID(), unjustified)).rejects.toMatchObject({
      message: 'The following policy rules failed: ["JustificationRule"]',
    });

    await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "PT9H"));
    await expect(
      client.roleAssignmentScheduleRequests.create(scope, randomUUID(), {
        ...adminAssign(n01, "PT1H"),
        requestType: "adminassign",
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "RoleAssignmentExists" });
  });

  it("AdminExtend moves the end, AdminRemove ends the assignment, and removing it again fails", async () => {
    const scope = freshScope();
    const start = new Date();
    await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n02, "PT1H", start));
    const extended = await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), {
      ...adminAssign(n02, "PT4H", start),
      requestType: "AdminExtend",
    });
    expect(extended.status).toBe("Provisioned");
    const [instance] = await all(client.roleAssignmentScheduleInstances.listForScope(scope));
    expect(instance!.endDateTime!.getTime()).toBe(start.getTime() + 4 * 3600_000);

    const remove = { principalId: n02, roleDefinitionId: roleId(RBAC_ADMIN), requestType: "AdminRemove" };
    const removed = await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), remove);
    expect(removed.status).toBe("Revoked");
    expect(await all(client.roleAssignmentScheduleInstances.listForScope(scope))).toEqual([]);
    expect(await all(client.roleAssignments.listForScope(scope))).toEqual([]);
    expect((await stateAssignments()).filter((a) => a.scope === scope)).toEqual([]);
    await expect(client.roleAssignmentScheduleRequests.create(scope, randomUUID(), remove)).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentDoesNotExist",
    });
  });

  it("cancels only pending requests: 400 for a provisioned one, 200 for a scheduled one", async () => {
    const scope = freshScope();
    const provisioned = await client.roleAssignmentScheduleRequests.create(
      scope,
      randomUUID(),
      adminAssign(n01, "PT1H"),
    );
    await expect(client.roleAssignmentScheduleRequests.cancel(scope, provisioned.name!)).rejects.toMatchObject({
      statusCode: 400,
    });

    const later = new Date(Date.now() + 24 * 3600_000);
    const scheduled = await client.roleAssignmentScheduleRequests.create(
      scope,
      randomUUID(),
      adminAssign(p01, "PT1H", later),
    );
    expect(scheduled.status).toBe("ScheduleCreated");
    await client.roleAssignmentScheduleRequests.cancel(scope, scheduled.name!);
    expect(await client.roleAssignmentScheduleRequests.get(scope, scheduled.name!)).toMatchObject({
      status: "Canceled",
    });
    const requests = await all(client.roleAssignmentScheduleRequests.listForScope(scope, { filter: "asRequestor()" }));
    expect(requests.map((r) => [r.name, r.status]).sort()).toEqual(
      [
        [provisioned.name, "Provisioned"],
        [scheduled.name, "Canceled"],
      ].sort(),
    );
  });
});

describe("ARM emulator: a principal Entra ID created moments ago (replication)", () => {
  const { client } = arm();
  const settings = (body: object) =>
    fetch(`${EMU}/_emulator/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const clockTo = (offsetSeconds: number) =>
    fetch(`${EMU}/_emulator/clock`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ offsetSeconds }),
    });

  it("answers PrincipalNotFound until principalReplicationDelaySeconds have passed, unless principalType is declared", async () => {
    const id = randomUUID();
    const created = await fetch(`${EMU}/_emulator/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id, userPrincipalName: `new-${id.slice(0, 8)}@contoso.com` }),
    });
    expect(created.status).toBe(201);
    await settings({ principalReplicationDelaySeconds: 60 });
    try {
      const scope = freshScope();
      await expect(
        client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(id, "PT1H")),
      ).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
      // Declaring the type skips the directory lookup (aka.ms/docs-principaltype).
      const declared = await client.roleAssignments.create(scope, randomUUID(), {
        roleDefinitionId: roleId(RBAC_READER),
        principalId: id,
        principalType: "User",
      });
      expect(declared.principalId).toBe(id);
      await expect(
        client.roleAssignments.create(freshScope(), randomUUID(), {
          roleDefinitionId: roleId(RBAC_READER),
          principalId: id,
        }),
      ).rejects.toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });

      await clockTo(60);
      const assigned = await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(id, "PT1H"));
      expect(assigned.status).toBe("Provisioned");
    } finally {
      await clockTo(0);
      await settings({ principalReplicationDelaySeconds: 0 });
      await fetch(`${EMU}/_emulator/users/${id}`, { method: "DELETE" });
    }
  });
});

describe("ARM emulator: time, throttling, authentication and AKS", () => {
  let clock = new Date("2030-01-01T09:00:00Z");
  let clocked: RunningEmulator;

  beforeAll(async () => {
    clocked = await startEmulator({
      tenant: Tenant.fromFile(DEMO_TENANT_FILE),
      tls: await ensureCertificates(CERT_DIR),
      port: 0,
      now: () => clock,
    });
    await grantAppTheSubscription(clocked.url);
  });
  afterAll(() => clocked.close());

  it("an assignment disappears at its end, with no timer: read against the emulator's clock", async () => {
    const { client } = arm(clocked.url);
    const scope = freshScope();
    const request = await client.roleAssignmentScheduleRequests.create(
      scope,
      randomUUID(),
      adminAssign(n01, "PT1H", clock),
    );
    const [assignment] = await all(client.roleAssignments.listForScope(scope));
    expect(assignment).toBeDefined();

    clock = new Date(clock.getTime() + 59 * 60_000);
    expect(await all(client.roleAssignmentScheduleInstances.listForScope(scope))).toHaveLength(1);
    expect(await stateAssignments(clocked.url)).toHaveLength(1);

    clock = new Date(clock.getTime() + 60_000);
    expect(await all(client.roleAssignmentScheduleInstances.listForScope(scope))).toEqual([]);
    expect(await all(client.roleAssignments.listForScope(scope))).toEqual([]);
    await expect(client.roleAssignments.get(scope, assignment!.name!)).rejects.toMatchObject({ statusCode: 404 });
    expect(await stateAssignments(clocked.url)).toEqual([]);
    expect(await client.roleAssignmentScheduleRequests.get(scope, request.name!)).toMatchObject({
      status: "Provisioned",
    });
    // Once ended, the same role can be assigned again.
    await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "PT1H", clock));
  });

  it("refuses AdminRemove in the assignment's first 5 minutes with 400 ActiveDurationTooShort", async () => {
    const { client } = arm(clocked.url);
    const scope = freshScope();
    await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n02, "PT1H", clock));
    const remove = { principalId: n02, roleDefinitionId: roleId(RBAC_ADMIN), requestType: "AdminRemove" };
    clock = new Date(clock.getTime() + 5 * 60_000 - 1000);
    await expect(client.roleAssignmentScheduleRequests.create(scope, randomUUID(), remove)).rejects.toMatchObject({
      statusCode: 400,
      code: "ActiveDurationTooShort",
      message: "The Active duration is too short. Miniumum Required is 5 minutes.",
    });
    expect(await all(client.roleAssignmentScheduleInstances.listForScope(scope))).toHaveLength(1);
    clock = new Date(clock.getTime() + 1000);
    expect((await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), remove)).status).toBe("Revoked");
    expect(await all(client.roleAssignmentScheduleInstances.listForScope(scope))).toEqual([]);
  });

  it("a 429 with Retry-After: 1 is retried by the SDK and succeeds after at least a second", async () => {
    const { client, attempts } = arm();
    const scope = freshScope();
    const fault = await fetch(`${EMU}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        path: `${scope.split("/").pop()}/providers/Microsoft.Authorization/roleAssignments/`,
        count: 1,
        status: 429,
        retryAfter: 1,
      }),
    });
    expect(fault.status).toBe(201);
    const started = Date.now();
    await client.roleAssignments.create(scope, randomUUID(), {
      roleDefinitionId: roleId(RBAC_ADMIN),
      principalId: n01,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(attempts()).toBe(2);
  });

  it("lists the two demo clusters, gets one and lists its agent pools", async () => {
    const headers = { authorization: `Bearer ${await armToken()}` };
    const list = await (
      await fetch(
        `${EMU}/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01`,
        { headers },
      )
    ).json();
    expect(list.value.map((c: { name: string }) => c.name).sort()).toEqual(["aks-dev-weu", "aks-prod-weu"]);
    const prod = list.value.find((c: { name: string }) => c.name === "aks-prod-weu");
    expect(prod).toMatchObject({
      location: "westeurope",
      type: "Microsoft.ContainerService/ManagedClusters",
      properties: {
        provisioningState: "Succeeded",
        nodeResourceGroup: "MC_rg-aks-prod_aks-prod-weu_westeurope",
        aadProfile: { managed: true, enableAzureRBAC: true, tenantID: env.ENTRA_TENANT_ID },
      },
    });
    expect(prod.id.toLowerCase()).toBe(
      `/subscriptions/${SUB}/resourcegroups/rg-aks-prod/providers/microsoft.containerservice/managedclusters/aks-prod-weu`,
    );
    expect(prod.properties.fqdn).toMatch(/\.hcp\.westeurope\.azmk8s\.io$/);

    const dev = `${EMU}/subscriptions/${SUB}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev-weu`;
    expect(await (await fetch(`${dev}?api-version=2025-10-01`, { headers })).json()).toMatchObject({
      name: "aks-dev-weu",
    });
    const pools = await (await fetch(`${dev}/agentPools?api-version=2025-10-01`, { headers })).json();
    expect(pools.value.map((p: { name: string }) => p.name)).toEqual(["system", "user"]);
    expect(pools.value[0].properties).toMatchObject({
      mode: "System",
      osType: "Linux",
      provisioningState: "Succeeded",
    });
    const missing = await fetch(dev.replace("aks-dev-weu", "aks-nope") + "?api-version=2025-10-01", { headers });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("ResourceNotFound");
  });

  it("answers each cluster's security settings from the seed, and as the test knob changes them", async () => {
    const headers = { authorization: `Bearer ${await armToken()}` };
    const dev = `${EMU}/subscriptions/${SUB}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev-weu`;
    const prod = dev.replace(/rg-aks-dev/, "rg-aks-prod").replace(/aks-dev-weu/, "aks-prod-weu");
    const get = async (url: string) => (await fetch(`${url}?api-version=2025-10-01`, { headers })).json();
    const knob = (body: object, method = "PUT") =>
      fetch(`${EMU}/_emulator/clusters/aks-dev-weu`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "PUT" ? JSON.stringify(body) : undefined,
      });
    expect((await get(prod)).properties).toMatchObject({
      apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ["203.0.113.0/24"] },
      oidcIssuerProfile: { enabled: true, issuerURL: expect.stringMatching(/^https:\/\/westeurope\.oic\./) },
      securityProfile: { workloadIdentity: { enabled: true } },
      aadProfile: { adminGroupObjectIDs: [] },
    });
    const sshOf = async (url: string) =>
      (
        (await get(`${url}/agentPools`)).value as Array<{
          name: string;
          properties: { securityProfile: { sshAccess: string } };
        }>
      ).map((p) => [p.name, p.properties.securityProfile.sshAccess]);
    expect(await sshOf(prod)).toEqual([
      ["system", "Disabled"],
      ["user", "EntraId"],
    ]);
    expect(await sshOf(dev)).toEqual([
      ["system", "Disabled"],
      ["user", "LocalUser"],
    ]);
    expect((await get(dev)).properties.apiServerAccessProfile).toEqual({ enablePrivateCluster: false });

    try {
      // A private cluster answers privateFQDN and no public fqdn, unless it asks for one.
      expect((await knob({ enablePrivateCluster: true, sshAccess: { user: "Disabled" } })).status).toBe(200);
      const privateOne = (await get(dev)).properties;
      expect(privateOne.fqdn).toBeUndefined();
      expect(privateOne.privateFQDN).toMatch(/\.privatelink\.westeurope\.azmk8s\.io$/);
      expect(privateOne.agentPoolProfiles[1].securityProfile.sshAccess).toBe("Disabled");
      expect(await sshOf(dev)).toEqual([
        ["system", "Disabled"],
        ["user", "Disabled"],
      ]);
      expect((await knob({ enablePrivateClusterPublicFQDN: true })).status).toBe(200);
      expect((await get(dev)).properties.fqdn).toMatch(/\.hcp\.westeurope\.azmk8s\.io$/);
      // What AKS refuses, the knob refuses: ranges on a private cluster, workload identity without OIDC, unknown pools.
      expect((await knob({ authorizedIPRanges: ["198.51.100.0/24"] })).status).toBe(400);
      expect((await knob({ workloadIdentity: true })).status).toBe(400);
      expect((await knob({ sshAccess: { nope: "Disabled" } })).status).toBe(400);
      expect((await knob({ sshAccess: { user: "Root" } })).status).toBe(400);
      expect((await knob({ unknownSetting: true })).status).toBe(400);
    } finally {
      expect((await knob({}, "DELETE")).status).toBe(200);
    }
    expect((await get(dev)).properties.apiServerAccessProfile).toEqual({ enablePrivateCluster: false });
    expect(await sshOf(dev)).toEqual([
      ["system", "Disabled"],
      ["user", "LocalUser"],
    ]);
  });
});

describe("ARM emulator: Azure's error codes, api-versions and Azure RBAC", () => {
  let own: RunningEmulator;
  const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
  const app = tenant.applications[0]!;
  const PROVISIONER = "6f1e8a8c-3b0a-4d3c-9a6e-2f7c1d5b9e41";
  const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
  const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
  const DEFAULT_GROUP = "5276251f-922a-4a74-bd64-dd49ae92e206"; // n01 and n02
  const APPROVER_GROUP = "09ecf0d7-9504-4f6c-b557-71f30e9759bf";
  const PROD_RG = `/subscriptions/${SUB}/resourceGroups/rg-aks-prod`;
  const PROD = `${PROD_RG}/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`;
  const PROD_NODES = `/subscriptions/${SUB}/resourceGroups/MC_rg-aks-prod_aks-prod-weu_westeurope`;

  // An emulator of this describe's own, whose signing key mints the tokens Entra would issue to users.
  beforeAll(async () => {
    own = await startEmulator({ tenant, tls: await ensureCertificates(CERT_DIR), port: 0 });
  });
  afterAll(() => own.close());

  const issuer = () => `${own.url}/${tenant.id}/v2.0`;
  const userToken = (upn: string, claims: Record<string, unknown> = {}, issuedAt = new Date()) => {
    const user = demoUser(upn);
    return own.context.key.sign(
      {
        iss: issuer(),
        aud: "https://management.azure.com",
        tid: tenant.id,
        oid: user.id,
        preferred_username: upn,
        idtyp: "user",
        ver: "2.0",
        ...claims,
      },
      3599,
      issuedAt,
    );
  };
  const appToken = () =>
    own.context.key.sign({
      iss: issuer(),
      aud: "https://management.azure.com/",
      tid: tenant.id,
      oid: app.servicePrincipalId,
      appid: app.appId,
      idtyp: "app",
      ver: "2.0",
    });
  const call = async (path: string, token?: string, method = "GET", body?: unknown) => {
    const res = await fetch(`${own.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    return { status: res.status, body: res.status === 204 ? {} : await res.json() };
  };
  const assignmentsAt = (scope: string) =>
    `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`;

  it("answers ARM's 401 codes: no header, not a Bearer header, a bad token, an expired one, another resource's", async () => {
    const url = `/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01`;
    const graphToken = await userToken("n01@contoso.com", { aud: "https://graph.microsoft.com" });
    const expired = await userToken("n01@contoso.com", {}, new Date(Date.now() - 2 * 3600_000));
    const rows: Array<[Record<string, string>, string, RegExp]> = [
      [{}, "AuthenticationFailed", /^Authentication failed\. The 'Authorization' header is missing\.$/],
      [{ authorization: "Basic bjAxOnNlY3JldA==" }, "AuthenticationFailedInvalidHeader", /invalid format/],
      [{ authorization: "Bearer not-a-jwt" }, "InvalidAuthenticationToken", /^The access token is invalid\.$/],
      [
        { authorization: `Bearer ${expired}` },
        "ExpiredAuthenticationToken",
        /^The access token expiry UTC time '\d+\/\d+\/\d{4} \d+:\d\d:\d\d [AP]M' is earlier than current UTC time '.+'\.$/,
      ],
      [
        { authorization: `Bearer ${graphToken}` },
        "InvalidAuthenticationTokenAudience",
        /^The access token has been obtained for wrong audience or resource 'https:\/\/graph\.microsoft\.com'\. It should exactly match with one of the allowed audiences 'https:\/\/management\.core\.windows\.net\/','https:\/\/management\.core\.windows\.net','https:\/\/management\.azure\.com\/','https:\/\/management\.azure\.com'\.$/,
      ],
    ];
    for (const [headers, code, message] of rows) {
      const res = await fetch(`${own.url}${url}`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const { error } = await res.json();
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });

  it("checks the api-version against each type's, and answers unknown namespaces and types as ARM does", async () => {
    const token = await appToken();
    const rows: Array<[string, number, string, string?]> = [
      [`${PROD}/providers/Microsoft.Authorization/roleAssignments`, 400, "MissingApiVersionParameter"],
      [
        `${PROD}/providers/Microsoft.Authorization/roleAssignments?api-version=2015-07-01`,
        404,
        "InvalidResourceType",
        "The resource type 'roleAssignments' could not be found in the namespace 'Microsoft.Authorization' for api version '2015-07-01'. The supported api-versions are '2022-04-01'.",
      ],
      [
        `${PROD}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2022-04-01`,
        404,
        "InvalidResourceType",
        "The resource type 'roleAssignmentScheduleInstances' could not be found in the namespace 'Microsoft.Authorization' for api version '2022-04-01'. The supported api-versions are '2020-10-01'.",
      ],
      [
        `${PROD}?api-version=2099-01-01`,
        400,
        "NoRegisteredProviderFound",
        "No registered resource provider found for location 'westeurope' and API version '2099-01-01' for type 'managedClusters'. The supported api-versions are '2024-09-01, 2025-10-01'. The supported locations are 'westeurope'.",
      ],
      [
        `${PROD}/agentPools?api-version=2020-01-01`,
        400,
        "NoRegisteredProviderFound",
        "No registered resource provider found for location 'westeurope' and API version '2020-01-01' for type 'managedClusters/agentPools'. The supported api-versions are '2024-09-01, 2025-10-01'. The supported locations are 'westeurope'.",
      ],
      [
        `${PROD}/providers/Microsoft.Authorization/fooBars?api-version=2022-04-01`,
        404,
        "InvalidResourceType",
        "The resource type 'fooBars' could not be found in the namespace 'Microsoft.Authorization' for api version '2022-04-01'.",
      ],
      [
        `${PROD_RG}/providers/Microsoft.Nope/things?api-version=2022-04-01`,
        400,
        "InvalidResourceNamespace",
        "The resource namespace 'Microsoft.Nope' is invalid.",
      ],
    ];
    for (const [path, status, code, message] of rows) {
      const { status: got, body } = await call(path, token);
      expect([path, got, body.error.code]).toEqual([path, status, code]);
      if (message) expect(body.error.message).toBe(message);
    }
    // The versions the SDK sends are served: 2022-04-01 for RBAC, 2020-10-01 for PIM.
    expect((await call(assignmentsAt(PROD), token)).status).toBe(200);
    const instances = `${PROD}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01`;
    expect((await call(instances, token)).status).toBe(200);
  });

  it("refuses a user without a role with 403 AuthorizationFailed, naming the action and the scope", async () => {
    const token = await userToken("aud01@contoso.com");
    const name = randomUUID();
    const id = `${PROD}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const { status, body } = await call(`${id}?api-version=2022-04-01`, token, "PUT", {
      properties: { roleDefinitionId: roleId(RBAC_ADMIN), principalId: demoUser("aud01@contoso.com").id },
    });
    expect(status).toBe(403);
    expect(body.error).toEqual({
      code: "AuthorizationFailed",
      message: `The client 'aud01@contoso.com' with object id '${demoUser("aud01@contoso.com").id}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${id}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
    // A list is authorized over the scope it lists at; the cluster itself is read with managedClusters/read.
    expect((await call(assignmentsAt(PROD), token)).body.error.message).toContain(
      `'Microsoft.Authorization/roleAssignments/read' over scope '${PROD}'`,
    );
    expect((await call(`${PROD}?api-version=2025-10-01`, token)).body.error.message).toContain(
      `'Microsoft.ContainerService/managedClusters/read' over scope '${PROD}'`,
    );
    expect(await stateAssignments(own.url)).toEqual([]);
  });

  it("grants what a role allows to its holder's groups, transitively, at its scope and below only", async () => {
    const n01Token = await userToken("n01@contoso.com");
    const reader = await knobAssign(APPROVER_GROUP, READER, PROD_RG, own.url);
    try {
      expect((await call(assignmentsAt(PROD_RG), n01Token)).status).toBe(403); // n01 is not an approver
      // Nested: `default` (n01's group) becomes a member of `approver`, which holds Reader on the resource group.
      own.context.tenant.addMember(APPROVER_GROUP, DEFAULT_GROUP);
      expect((await call(assignmentsAt(PROD_RG), n01Token)).status).toBe(200);
      expect((await call(assignmentsAt(PROD), n01Token)).status).toBe(200); // inherited by the cluster
      expect((await call(assignmentsAt(`/subscriptions/${SUB}`), n01Token)).status).toBe(403); // not above
      const write = await call(
        `${PROD}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`,
        n01Token,
        "PUT",
        {
          properties: { roleDefinitionId: roleId(RBAC_ADMIN), principalId: n01 },
        },
      );
      expect(write.status).toBe(403); // */read only
    } finally {
      own.context.tenant.removeMember(APPROVER_GROUP, DEFAULT_GROUP);
      await knobRemove(reader, own.url);
    }
  });

  it("applies notActions within a role, but another role can still allow what one excludes", async () => {
    const token = await userToken("n02@contoso.com");
    const scope = `/subscriptions/${SUB}/resourceGroups/rg-rbac-${randomUUID().slice(0, 8)}`;
    const put = () =>
      call(
        `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`,
        token,
        "PUT",
        {
          properties: { roleDefinitionId: roleId(RBAC_READER), principalId: n02 },
        },
      );
    const contributor = await knobAssign(n02, CONTRIBUTOR, scope, own.url);
    const uaa = { name: "" };
    try {
      // Contributor: actions "*" but notActions "Microsoft.Authorization/*/Write".
      expect((await call(assignmentsAt(scope), token)).status).toBe(200);
      const refused = await put();
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain("'Microsoft.Authorization/roleAssignments/write'");
      uaa.name = await knobAssign(n02, USER_ACCESS_ADMINISTRATOR, scope, own.url);
      expect((await put()).status).toBe(201);
    } finally {
      await knobRemove(contributor, own.url);
      if (uaa.name) await knobRemove(uaa.name, own.url);
    }
  });

  it("lists the caller's effective permissions at a scope, as the enforcement sees them (Permissions - List)", async () => {
    const client = new AuthorizationManagementClient(
      new ClientSecretCredential(tenant.id, app.appId, app.clientSecret!, {
        authorityHost: own.url,
        disableInstanceDiscovery: true,
      }),
      SUB,
      { endpoint: own.url, credentialScopes: [ARM_SCOPE] },
    );
    // The demo tenant: the provisioner role on the cluster and its node resource group, nothing above.
    const onCluster = await all(
      client.permissions.listForResource(
        "rg-aks-prod",
        "Microsoft.ContainerService",
        "",
        "managedClusters",
        "aks-prod-weu",
      ),
    );
    expect(onCluster).toHaveLength(1);
    expect(onCluster[0]!.actions).toContain("Microsoft.Authorization/roleAssignmentScheduleRequests/write");
    expect(onCluster[0]!.notActions).toEqual([]);
    expect(await all(client.permissions.listForResourceGroup("MC_rg-aks-prod_aks-prod-weu_westeurope"))).toHaveLength(
      1,
    );
    expect(await all(client.permissions.listForResourceGroup("rg-aks-prod"))).toEqual([]);

    const n01Token = await userToken("n01@contoso.com");
    const grant = await knobAssign(DEFAULT_GROUP, CONTRIBUTOR, PROD_RG, own.url);
    try {
      const { status, body } = await call(
        `${PROD}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
        n01Token,
      );
      expect(status).toBe(200);
      expect(body.value).toEqual([
        expect.objectContaining({
          actions: ["*"],
          notActions: expect.arrayContaining(["Microsoft.Authorization/*/Write"]),
          dataActions: [],
          notDataActions: [],
        }),
      ]);
    } finally {
      await knobRemove(grant, own.url);
    }
  });

  it("seeds the app's provisioner role on each demo cluster and node resource group, and the knob adds and removes", async () => {
    const state = async () =>
      ((await (await fetch(`${own.url}/_emulator/state`)).json()) as EmulatorState).seededRoleAssignments;
    const dev = `/subscriptions/${SUB}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev-weu`;
    const devNodes = `/subscriptions/${SUB}/resourceGroups/MC_rg-aks-dev_aks-dev-weu_westeurope`;
    expect(
      (await state())
        .map(({ scope, roleDefinitionId, principalId }) => ({ scope, roleDefinitionId, principalId }))
        .sort((a, b) => a.scope.localeCompare(b.scope)),
    ).toEqual(
      [
        ...[PROD_NODES, devNodes, dev, PROD].map((scope) => ({
          scope,
          roleDefinitionId: PROVISIONER,
          principalId: app.servicePrincipalId,
        })),
        // Log Analytics Reader on the workspace the clusters' audit logs go to (issue 19)
        {
          scope: `/subscriptions/${SUB}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-aks-jit`,
          roleDefinitionId: "73c42c96-874c-492b-b04d-ab87d138a893",
          principalId: app.servicePrincipalId,
        },
      ].sort((a, b) => a.scope.localeCompare(b.scope)),
    );
    const appToken_ = await appToken();
    const onProd = (await state()).find((a) => a.scope === PROD)!;
    await knobRemove(onProd.name, own.url);
    expect((await call(assignmentsAt(PROD), appToken_)).status).toBe(403);
    const restored = await knobAssign(app.appId, PROVISIONER, PROD, own.url);
    expect((await state()).map((a) => a.name)).toContain(restored);
    expect((await call(assignmentsAt(PROD), appToken_)).status).toBe(200);
    expect(
      (await fetch(`${own.url}/_emulator/azure/roleAssignments/${randomUUID()}`, { method: "DELETE" })).status,
    ).toBe(404);
  });
});
