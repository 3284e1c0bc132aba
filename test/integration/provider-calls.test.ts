import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GrantTarget, GrantWindow } from "@/lib/cloud/access-provider";
import { type ProviderCall, recordingCalls } from "@/lib/cloud/call-recorder";
import { auditProviderCalls } from "@/lib/audit/provider-calls";
import { appGraphClient } from "@/lib/cloud/credentials";
import { providerFor } from "@/lib/cloud/providers";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { grantRole, revokeRole, SUBSCRIPTION_SCOPE } from "../support/azure-rbac";
import { demoUser } from "../support/emulator-browser";

/**
 * What the call recorder captures of the providers' Graph and ARM calls, through the app's real
 * clients against the emulator: one entry per HTTP attempt (each retry, each failure), with the
 * body sent but no secret, the status, the service's request id and the time it took.
 */
const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";
const PIM_REQUESTS = "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests";
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const groupId = (displayName: string) => tenant.groups.find((g) => g.displayName === displayName)!.id;

/** A PIM group membership target; group "node-access" allows up to PT8H. */
function pimGroupTarget(userPrincipalName: string): GrantTarget {
  return track({
    principalId: demoUser(userPrincipalName).id,
    grant: { kind: "entraPimGroup", groupId: groupId("node-access") },
    clusterResourceId: `/subscriptions/${SUB}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`,
    nodeResourceGroupId: `/subscriptions/${SUB}/resourceGroups/MC_rg-aks-prod`,
  });
}

/** A role assignment on a cluster under a resource group of its own, that no other test uses. */
function roleAssignmentTarget(userPrincipalName: string): GrantTarget {
  const group = `rg-calls-${randomUUID().slice(0, 8)}`;
  return track({
    principalId: demoUser(userPrincipalName).id,
    grant: { kind: "armRoleAssignment", roleDefinitionId: RBAC_ADMIN, scope: "cluster" },
    clusterResourceId: `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/aks-calls`,
    nodeResourceGroupId: `/subscriptions/${SUB}/resourceGroups/MC_${group}_aks-calls_westeurope`,
  });
}

function windowOf(hours: number): GrantWindow {
  const startAt = new Date();
  return {
    startAt,
    endAt: new Date(startAt.getTime() + hours * 3_600_000),
    justification: "Investigating INC777",
    ticket: "INC777",
    requestId: randomUUID(),
  };
}

const done = { requestId: randomUUID(), justification: "Done" };

// Whatever a test assigned is removed after it, outside any recording, so no test sees another's.
const assigned: GrantTarget[] = [];
const track = (target: GrantTarget) => (assigned.push(target), target);

async function injectFault(fault: Record<string, unknown>) {
  const response = await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(201);
}

afterEach(async () => {
  await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/faults`, { method: "DELETE" });
});

// The clusters under fresh resource groups get no role from the demo tenant (Azure RBAC is enforced):
// the app holds its provisioner role on the subscription while these tests run.
let subscriptionGrant = "";
beforeAll(async () => {
  subscriptionGrant = await grantRole(SUBSCRIPTION_SCOPE);
});

afterAll(async () => {
  for (const target of assigned.splice(0)) {
    await providerFor(target.grant.kind)
      .remove(target, done)
      .catch(() => undefined);
  }
  await revokeRole(subscriptionGrant);
});

/** What no recorded call may contain: the app's client secret, or a token in any form. */
function expectNoSecrets(calls: ProviderCall[]) {
  const recorded = JSON.stringify(calls);
  expect(recorded).not.toContain(env.ENTRA_CLIENT_SECRET);
  expect(recorded).not.toMatch(/Bearer|eyJ[\w-]+\./);
}

const anyRequestId = expect.stringMatching(/^[\w-]{8,}$/);
const anyDuration = expect.any(Number);

describe("recordingCalls", () => {
  it("records the Graph calls of applying and removing a PIM group membership", async () => {
    const target = pimGroupTarget("adm01@contoso.com");
    const window = windowOf(1);
    const provider = providerFor("entraPimGroup");

    const recorded = await recordingCalls(async () => {
      await provider.apply(target, window);
      await provider.remove(target, done);
    });

    expect(recorded.ok).toBe(true);
    const body = { accessId: "member", principalId: target.principalId, groupId: groupId("node-access") };
    expect(recorded.calls).toEqual([
      {
        service: "graph",
        method: "POST",
        path: PIM_REQUESTS,
        requestBody: {
          ...body,
          action: "adminAssign",
          justification: `AKS JIT request ${window.requestId}: Investigating INC777`,
          scheduleInfo: {
            startDateTime: window.startAt.toISOString(),
            expiration: { type: "afterDateTime", endDateTime: window.endAt.toISOString() },
          },
          ticketInfo: { ticketNumber: "INC777", ticketSystem: "AKS JIT" },
        },
        status: 201,
        providerRequestId: anyRequestId,
        durationMs: anyDuration,
      },
      {
        service: "graph",
        method: "POST",
        path: PIM_REQUESTS,
        requestBody: {
          ...body,
          action: "adminRemove",
          justification: `AKS JIT request ${done.requestId}: Done`,
          // No ticket on a removal: the AKS JIT request stands in (a ticket-requiring policy refuses none).
          ticketInfo: { ticketNumber: done.requestId, ticketSystem: "AKS JIT" },
        },
        status: 201,
        providerRequestId: anyRequestId,
        durationMs: anyDuration,
      },
    ]);
    expect(recorded.calls.every((call) => call.durationMs >= 0)).toBe(true);
    expect(recorded.calls[0]!.providerRequestId).not.toBe(recorded.calls[1]!.providerRequestId);
    expectNoSecrets(recorded.calls);
  });

  it("records the ARM calls of applying and removing a role assignment", async () => {
    const target = roleAssignmentTarget("adm01@contoso.com");
    const window = windowOf(1);
    const provider = providerFor("armRoleAssignment");

    const recorded = await recordingCalls(async () => {
      await provider.apply(target, window);
      await provider.remove(target, done);
    });

    expect(recorded.ok).toBe(true);
    const assignment = expect.stringMatching(
      new RegExp(
        `^${target.clusterResourceId}/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]{36}\\?api-version=2022-04-01$`,
      ),
    );
    expect(recorded.calls).toEqual([
      {
        service: "arm",
        method: "PUT",
        path: assignment,
        requestBody: {
          properties: {
            roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${RBAC_ADMIN}`,
            principalId: target.principalId,
            principalType: "User",
            description: `AKS JIT request ${window.requestId}, until ${window.endAt.toISOString()}`,
          },
        },
        status: 201,
        providerRequestId: anyRequestId,
        durationMs: anyDuration,
      },
      {
        service: "arm",
        method: "DELETE",
        path: assignment,
        requestBody: null,
        status: 200,
        providerRequestId: anyRequestId,
        durationMs: anyDuration,
      },
    ]);
    expect(recorded.calls[0]!.path).toBe(recorded.calls[1]!.path);
    expectNoSecrets(recorded.calls);
  });

  it("records each attempt of a Graph call that is throttled once, and the client still waits Retry-After", async () => {
    const target = pimGroupTarget("aud01@contoso.com");
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 1, status: 429, retryAfter: 1 });

    const startedAt = Date.now();
    const recorded = await recordingCalls(() => providerFor("entraPimGroup").apply(target, windowOf(1)));

    expect(recorded.ok).toBe(true);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(recorded.calls.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: "POST", path: PIM_REQUESTS, status: 429 },
      { method: "POST", path: PIM_REQUESTS, status: 201 },
    ]);
    expect(recorded.calls[0]).toMatchObject({
      providerRequestId: anyRequestId,
      error: "TooManyRequests: Please retry again later.",
    });
    expect(recorded.calls[1]).not.toHaveProperty("error");
    expect(recorded.calls[0]!.requestBody).toEqual(recorded.calls[1]!.requestBody);
  });

  it("records each attempt of an ARM call that is throttled once", async () => {
    const target = roleAssignmentTarget("aud01@contoso.com");
    await injectFault({ path: "/roleAssignments/", method: "PUT", count: 1, status: 429, retryAfter: 1 });

    const recorded = await recordingCalls(() => providerFor("armRoleAssignment").apply(target, windowOf(1)));

    expect(recorded.ok).toBe(true);
    expect(recorded.calls.map(({ service, method, status }) => ({ service, method, status }))).toEqual([
      { service: "arm", method: "PUT", status: 429 },
      { service: "arm", method: "PUT", status: 201 },
    ]);
    expect(recorded.calls[0]).toMatchObject({
      providerRequestId: anyRequestId,
      error: expect.stringMatching(/^TooManyRequests/),
    });
  });

  it("records a dropped Graph connection with no status, and returns the provider's error", async () => {
    const target = pimGroupTarget("p01@contoso.com");
    await injectFault({ path: "assignmentScheduleInstances", method: "GET", count: 1, drop: true });

    const recorded = await recordingCalls(() => providerFor("entraPimGroup").read(target));

    expect(recorded).toMatchObject({ ok: false, error: expect.objectContaining({ kind: "transient" }) });
    expect(recorded.calls).toEqual([
      {
        service: "graph",
        method: "GET",
        path: expect.stringMatching(
          /^\/v1\.0\/identityGovernance\/privilegedAccess\/group\/assignmentScheduleInstances\?/,
        ),
        requestBody: null,
        status: null,
        providerRequestId: null,
        durationMs: anyDuration,
        error: expect.stringMatching(/fetch failed/),
      },
    ]);
  });

  it("records a dropped ARM connection, and the attempt the ARM client retries after it", async () => {
    const target = roleAssignmentTarget("p01@contoso.com");
    await injectFault({ path: "/roleAssignments/", method: "GET", count: 1, drop: true });

    const recorded = await recordingCalls(() => providerFor("armRoleAssignment").read(target));

    expect(recorded).toMatchObject({ ok: true, result: { isActive: false } });
    expect(
      recorded.calls.map(({ method, status, providerRequestId }) => ({ method, status, providerRequestId })),
    ).toEqual([
      { method: "GET", status: null, providerRequestId: null },
      { method: "GET", status: 404, providerRequestId: anyRequestId },
    ]);
    expect(recorded.calls[0]!.error).toMatch(/ECONNRESET|socket|closed/);
  });

  it("redacts secret-looking fields of a body, however deep", async () => {
    const recorded = await recordingCalls(() =>
      appGraphClient()
        .api("/users")
        .post({
          displayName: "Test",
          passwordProfile: { password: "hunter2" },
          identities: [
            { issuer: "contoso.com", clientSecret: "s3cret", nested: { accessToken: "t0ken", apiKey: "k" } },
          ],
        }),
    );

    expect(recorded.ok).toBe(false);
    expect(recorded.calls).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/v1.0/users",
        status: 404,
        requestBody: {
          displayName: "Test",
          passwordProfile: "[redacted]",
          identities: [
            {
              issuer: "contoso.com",
              clientSecret: "[redacted]",
              nested: { accessToken: "[redacted]", apiKey: "[redacted]" },
            },
          ],
        },
        error: expect.stringMatching(/^NotFound: /),
      }),
    ]);
    expect(JSON.stringify(recorded.calls)).not.toMatch(/hunter2|s3cret|t0ken/);
  });

  it("keeps calls made outside a scope, or in another scope, out of a recording", async () => {
    // Guards against one job's calls being audited under another request running at the same time.
    const mine = pimGroupTarget("n01@contoso.com");
    const theirs = pimGroupTarget("n02@contoso.com");
    const provider = providerFor("entraPimGroup");

    const [recorded, other] = await Promise.all([
      recordingCalls(() => provider.read(mine)),
      recordingCalls(() => provider.read(theirs)),
      provider.read(theirs),
      provider.read(mine),
    ]);

    expect(recorded.calls).toHaveLength(1);
    expect(decodeURIComponent(recorded.calls[0]!.path)).toContain(mine.principalId);
    expect(other.calls).toHaveLength(1);
    expect(decodeURIComponent(other.calls[0]!.path)).toContain(theirs.principalId);
  });
});

describe("auditProviderCalls", () => {
  it("appends one provider.call audit event per call, in order, for the request", async () => {
    const target = roleAssignmentTarget("n01@contoso.com");
    const provider = providerFor("armRoleAssignment");
    const { calls } = await recordingCalls(async () => {
      await provider.apply(target, windowOf(1));
      await provider.remove(target, done);
    });
    const requestId = randomUUID();
    const correlationId = randomUUID();
    const occurredAt = new Date();

    await db.$transaction((tx) =>
      auditProviderCalls(tx, {
        requestId,
        correlationId,
        grantKind: "armRoleAssignment",
        operation: "apply",
        calls,
        occurredAt,
      }),
    );

    const events = await db.auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } });
    expect(events).toEqual(
      calls.map((call) =>
        expect.objectContaining({
          type: "provider.call",
          actorId: null,
          actorUpn: null,
          subjectId: requestId,
          requestId,
          correlationId,
          occurredAt,
          data: { ...call, grantKind: "armRoleAssignment", operation: "apply" },
        }),
      ),
    );
    expect(events.map((e) => (e.data as { method: string }).method)).toEqual(["PUT", "DELETE"]);
  });

  it("writes nothing for no calls", async () => {
    const requestId = randomUUID();

    await db.$transaction((tx) =>
      auditProviderCalls(tx, {
        requestId,
        correlationId: randomUUID(),
        grantKind: "entraPimGroup",
        operation: "read",
        calls: [],
        occurredAt: new Date(),
      }),
    );

    expect(await db.auditEvent.count({ where: { requestId } })).toBe(0);
  });
});
