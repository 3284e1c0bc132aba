import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { ensureCertificates } from "../../emulator/certs";
import { type RunningEmulator, startEmulator } from "../../emulator/server";
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
  const credential = new ClientSecretCredential(env.ENTRA_TENANT_ID, env.ENTRA_CLIENT_ID, env.ENTRA_CLIENT_SECRET, {
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

async function all<T>(items: AsyncIterable<T>) {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function stateAssignments(emulatorUrl = EMU) {
  const state = await (await fetch(`${emulatorUrl}/_emulator/state`)).json();
  return state.roleAssignments as Array<{
    id: string;
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    endDateTime: string | null;
  }>;
}

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

  it("refuses PT9H (ExpirationRule), no expiry, a missing justification and a second AdminAssign (RoleAssignmentExists)", async () => {
    const scope = freshScope();
    await expect(
      client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "PT9H")),
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

    await client.roleAssignmentScheduleRequests.create(scope, randomUUID(), adminAssign(n01, "PT8H"));
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

  it("answers 401 InvalidAuthenticationToken without a token or with a token for another resource", async () => {
    const url = `${EMU}/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01`;
    const graphToken = (await arm().credential.getToken("https://graph.microsoft.com/.default")).token;
    const attempts: Array<Record<string, string>> = [{}, { authorization: `Bearer ${graphToken}` }];
    for (const headers of attempts) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await res.json()).error.code).toBe("InvalidAuthenticationToken");
    }
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
});
