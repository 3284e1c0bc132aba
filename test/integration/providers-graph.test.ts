import { randomUUID } from "node:crypto";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderError, type Binding, type GrantTarget, type GrantWindow } from "@/lib/cloud/access-provider";
import { appGraphClient } from "@/lib/cloud/credentials";
import { entraGroupProvider } from "@/lib/cloud/providers/entra-group";
import { entraPimGroupProvider } from "@/lib/cloud/providers/entra-pim-group";
import { parseFailedRules, parseRetryAfter, toProviderError } from "@/lib/cloud/providers/graph-errors";
import type { Grant } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import type { EmulatorState } from "../../emulator/state";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { demoUser } from "../support/emulator-browser";

/**
 * The Graph providers (PIM for Groups and plain group membership) against the shared emulator,
 * through the app's own Graph client: what they change in the emulator's state, that they are
 * idempotent, and how Graph failures reach the job layer. Every test uses its own person and group,
 * and afterEach removes what it assigned, so tests depend on neither each other nor other files.
 */
const HOUR = 60 * 60_000;
const REQUESTS = "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests";
const CLUSTER =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu";

const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const groupId = (displayName: string) => tenant.groups.find((g) => g.displayName === displayName)!.id;

/** What this test assigned, removed again after it through Graph directly (not through the providers under test). */
const assigned: GrantTarget[] = [];

function target(kind: Extract<Grant, { groupId: string }>["kind"], group: string, userPrincipalName: string) {
  const grantTarget: GrantTarget = {
    principalId: demoUser(userPrincipalName).id,
    grant: { kind, groupId: groupId(group) },
    clusterResourceId: CLUSTER,
    nodeResourceGroupId: "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/MC_rg-aks-prod",
  };
  assigned.push(grantTarget);
  return grantTarget;
}

/** The target's group without its person: what list() reads. */
const bindingOf = ({ grant, clusterResourceId, nodeResourceGroupId }: GrantTarget): Binding => ({
  grant,
  clusterResourceId,
  nodeResourceGroupId,
});

/** A binding to a group by id, for groups whose members a test must not touch (afterEach would remove them). */
const bindingTo = (kind: Extract<Grant, { groupId: string }>["kind"], id: string): Binding => ({
  grant: { kind, groupId: id },
  clusterResourceId: CLUSTER,
  nodeResourceGroupId: "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/MC_rg-aks-prod",
});

const principalsOf = (assignments: Array<{ principalId: string }>) => assignments.map((a) => a.principalId);

function windowOf(hours: number, startAt = new Date()): GrantWindow {
  return {
    startAt,
    endAt: new Date(startAt.getTime() + hours * HOUR),
    justification: "Investigating INC12345",
    ticket: "INC12345",
    requestId: randomUUID(),
  };
}

const later = (window: GrantWindow, hours: number): GrantWindow => ({
  ...window,
  endAt: new Date(window.endAt.getTime() + hours * HOUR),
});

const emulator = (path: string, init?: RequestInit) => fetch(`${env.ENTRA_AUTHORITY_HOST}${path}`, init);

async function state(): Promise<EmulatorState> {
  return (await emulator("/_emulator/state")).json() as Promise<EmulatorState>;
}

async function pimAssignmentsOf({ grant, principalId }: GrantTarget) {
  const { pimGroupAssignments } = await state();
  return pimGroupAssignments.filter(
    (a) => "groupId" in grant && a.groupId === grant.groupId && a.principalId === principalId,
  );
}

async function membersOf(group: string) {
  return (await state()).groups.find((g) => g.id === groupId(group))!.members;
}

async function injectFault(fault: Record<string, unknown>) {
  const response = await emulator("/_emulator/faults", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(201);
}

async function faults(): Promise<Array<{ count: number }>> {
  return ((await (await emulator("/_emulator/faults")).json()) as { faults: Array<{ count: number }> }).faults;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

afterEach(async () => {
  await emulator("/_emulator/faults", { method: "DELETE" });
  const graph = appGraphClient();
  for (const { grant, principalId } of assigned.splice(0)) {
    if (!("groupId" in grant)) continue;
    const { groupId } = grant;
    // Each undo fails harmlessly when there is nothing to undo.
    await graph
      .api(REQUESTS)
      .post({ action: "adminRemove", accessId: "member", groupId, principalId })
      .catch(() => undefined);
    await graph
      .api(`/groups/${groupId}/members/${principalId}/$ref`)
      .delete()
      .catch(() => undefined);
  }
});

describe("entraPimGroupProvider against the emulator", () => {
  it("apply makes a time-bound PIM assignment that Entra ends at the window's end", async () => {
    const grant = target("entraPimGroup", "admin", "n01@contoso.com");
    const window = windowOf(1);

    const result = await entraPimGroupProvider.apply(grant, window);

    expect(result.enforcedEndAt).toEqual(window.endAt);
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ startDateTime: window.startAt.toISOString(), endDateTime: window.endAt.toISOString() }),
    ]);
    expect(await membersOf("admin")).toContain(grant.principalId);
    expect(await entraPimGroupProvider.read(grant)).toEqual({
      isActive: true,
      endAt: window.endAt,
      providerId: expect.stringMatching(new RegExp(`^${groupId("admin")}_member_`)),
    });
    // The schedule request carries who asked and why, for Entra's own audit log.
    const request = await appGraphClient().api(`${REQUESTS}/${result.providerRequestId}`).get();
    expect(request).toMatchObject({
      action: "adminAssign",
      accessId: "member",
      justification: `AKS JIT request ${window.requestId}: Investigating INC12345`,
      ticketInfo: { ticketNumber: "INC12345", ticketSystem: "AKS JIT" },
    });
  });

  it("applying the same window again succeeds and leaves one assignment", async () => {
    const grant = target("entraPimGroup", "admin", "n02@contoso.com");
    const window = windowOf(1);
    const first = await entraPimGroupProvider.apply(grant, window);

    const again = await entraPimGroupProvider.apply(grant, window);

    expect(again).toEqual({ providerRequestId: first.providerRequestId, enforcedEndAt: window.endAt });
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ endDateTime: window.endAt.toISOString() }),
    ]);
  });

  it("applying with a later end extends the assignment, and an earlier end never shortens it", async () => {
    const grant = target("entraPimGroup", "admin", "p01@contoso.com");
    const window = windowOf(1);
    const first = await entraPimGroupProvider.apply(grant, window);
    const longer = later(window, 1);

    const extended = await entraPimGroupProvider.apply(grant, longer);

    expect(extended.enforcedEndAt).toEqual(longer.endAt);
    expect(extended.providerRequestId).toBeDefined();
    expect(extended.providerRequestId).not.toBe(first.providerRequestId);
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ endDateTime: longer.endAt.toISOString() }),
    ]);

    const shorter = await entraPimGroupProvider.apply(grant, window);
    expect(shorter.enforcedEndAt).toEqual(longer.endAt);
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ endDateTime: longer.endAt.toISOString() }),
    ]);
  });

  it("extend moves the end of the active assignment", async () => {
    const grant = target("entraPimGroup", "admin", "aud01@contoso.com");
    const window = windowOf(1);
    await entraPimGroupProvider.apply(grant, window);
    const extension = later(window, 2);

    const result = await entraPimGroupProvider.extend(grant, extension);

    expect(result.enforcedEndAt).toEqual(extension.endAt);
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ endDateTime: extension.endAt.toISOString() }),
    ]);
    expect(await entraPimGroupProvider.read(grant)).toMatchObject({ isActive: true, endAt: extension.endAt });
  });

  it("extend assigns the window when nothing is active any more", async () => {
    const grant = target("entraPimGroup", "admin", "adm01@contoso.com");
    const window = windowOf(2);

    const result = await entraPimGroupProvider.extend(grant, window);

    expect(result.enforcedEndAt).toEqual(window.endAt);
    expect(await pimAssignmentsOf(grant)).toEqual([
      expect.objectContaining({ endDateTime: window.endAt.toISOString() }),
    ]);
  });

  it("remove ends the membership, and removing it again succeeds", async () => {
    const grant = target("entraPimGroup", "node-access", "n01@contoso.com");
    await entraPimGroupProvider.apply(grant, windowOf(1));
    const context = { requestId: randomUUID(), justification: "Done" };

    const removed = await entraPimGroupProvider.remove(grant, context);

    expect(removed).toEqual({ providerRequestId: expect.any(String), enforcedEndAt: null });
    expect(await pimAssignmentsOf(grant)).toEqual([]);
    expect(await membersOf("node-access")).not.toContain(grant.principalId);
    expect(await entraPimGroupProvider.read(grant)).toEqual({ isActive: false });
    await expect(entraPimGroupProvider.remove(grant, context)).resolves.toEqual({ enforcedEndAt: null });
  });

  it("a window over the policy's admin assignment maximum (P180D) is a policy error naming ExpirationRule, and assigns nothing", async () => {
    const grant = target("entraPimGroup", "node-access", "n02@contoso.com");

    const error = await rejection(entraPimGroupProvider.apply(grant, windowOf(181 * 24)));

    expect(error).toMatchObject({
      kind: "policy",
      status: 400,
      code: "RoleAssignmentRequestPolicyValidationFailed",
      failedRules: ["ExpirationRule"],
      requestId: expect.any(String),
      isRetryable: false,
    });
    expect(error.message).toBe(
      `Entra ID refused to make ${grant.principalId} a member of group ${groupId("node-access")}: ` +
        "the following policy rules failed: ExpirationRule.",
    );
    expect(await pimAssignmentsOf(grant)).toEqual([]);
  });

  // Guards against the request omitting ticketInfo when the person gave no ticket: a group whose PIM
  // policy requires one (TicketingRule) would refuse every such request.
  it("sends the AKS JIT request as the ticket when there is none, so a group whose policy requires one accepts it", async () => {
    const grant = target("entraPimGroup", "node-access", "adm01@contoso.com");
    const graph = appGraphClient();
    // A tenant admin sets the group's policy; here the app is allowed to, for the length of the test.
    const permissions = (applicationPermissions: string[]) =>
      emulator(`/_emulator/applications/${env.ENTRA_CLIENT_ID}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ applicationPermissions }),
      });
    const granted = tenant.applications[0]!.applicationPermissions;
    await permissions([...granted, "RoleManagementPolicy.ReadWrite.AzureADGroup"]);
    const policies = await graph
      .api("/policies/roleManagementPolicyAssignments")
      .filter(`scopeId eq '${groupId("node-access")}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`)
      .get();
    const rule = `/policies/roleManagementPolicies/${policies.value[0].policyId}/rules/Enablement_Admin_Assignment`;
    const enable = (enabledRules: string[]) =>
      graph.api(rule).patch({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
        id: "Enablement_Admin_Assignment",
        enabledRules,
      });
    await enable(["Ticketing"]);
    try {
      const window = { ...windowOf(1), ticket: undefined };
      const result = await entraPimGroupProvider.apply(grant, window);
      const request = await graph.api(`${REQUESTS}/${result.providerRequestId}`).get();
      expect(request.ticketInfo).toEqual({ ticketNumber: window.requestId, ticketSystem: "AKS JIT" });
      expect(await pimAssignmentsOf(grant)).toHaveLength(1);
    } finally {
      await enable([]);
      await permissions(granted);
    }
  });

  it("a 500 from Graph is transient, and neither the client nor the provider retries it", async () => {
    const grant = target("entraPimGroup", "node-access", "p01@contoso.com");
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 5, status: 500 });

    const error = await rejection(entraPimGroupProvider.apply(grant, windowOf(1)));

    expect(error).toMatchObject({
      kind: "transient",
      status: 500,
      isRetryable: true,
      message: `Entra ID failed temporarily and did not make ${grant.principalId} a member of group ${groupId("node-access")} (HTTP 500 InternalServerError: Injected fault).`,
    });
    // One call used one of the five faults: retries are the job layer's, with its backoff.
    expect(await faults()).toEqual([expect.objectContaining({ count: 4 })]);
    expect(await pimAssignmentsOf(grant)).toEqual([]);
  });

  it("throttling that outlasts the client's 3 retries is throttled, with Retry-After in seconds", async () => {
    const grant = target("entraPimGroup", "node-access", "aud01@contoso.com");
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 4, status: 429, retryAfter: 1 });

    const error = await rejection(entraPimGroupProvider.apply(grant, windowOf(1)));

    expect(error).toMatchObject({ kind: "throttled", status: 429, retryAfterSeconds: 1, isRetryable: true });
    // The first call and the client's 3 retries used all four: the provider added none.
    expect(await faults()).toEqual([]);
    expect(await pimAssignmentsOf(grant)).toEqual([]);
  });

  it("a dropped connection is transient", async () => {
    const grant = target("entraPimGroup", "node-access", "adm01@contoso.com");
    await injectFault({ path: "assignmentScheduleInstances", method: "GET", count: 1, drop: true });

    const error = await rejection(entraPimGroupProvider.read(grant));

    expect(error).toMatchObject({ kind: "transient", status: undefined, isRetryable: true });
  });

  it("list shows everyone with an active member assignment and its end, and no longer those removed", async () => {
    const first = target("entraPimGroup", "node-access", "n01@contoso.com");
    const second = target("entraPimGroup", "node-access", "p01@contoso.com");
    const elsewhere = target("entraPimGroup", "admin", "aud01@contoso.com");
    const [firstWindow, secondWindow] = [windowOf(1), windowOf(2)];
    await entraPimGroupProvider.apply(first, firstWindow);
    await entraPimGroupProvider.apply(second, secondWindow);
    await entraPimGroupProvider.apply(elsewhere, windowOf(1));

    const listed = await entraPimGroupProvider.list(bindingOf(first));

    const scheduleId = expect.stringMatching(new RegExp(`^${groupId("node-access")}_member_`));
    expect(listed).toEqual(
      expect.arrayContaining([
        { principalId: first.principalId, endAt: firstWindow.endAt, providerId: scheduleId },
        { principalId: second.principalId, endAt: secondWindow.endAt, providerId: scheduleId },
      ]),
    );
    expect(principalsOf(listed)).not.toContain(elsewhere.principalId);

    await entraPimGroupProvider.remove(first, { requestId: randomUUID(), justification: "Done" });

    const afterRemoval = await entraPimGroupProvider.list(bindingOf(first));
    expect(principalsOf(afterRemoval)).not.toContain(first.principalId);
    expect(afterRemoval).toContainEqual(expect.objectContaining({ principalId: second.principalId }));
  });

  it("list shows standing members with no end, and leaves out owners", async () => {
    // n01 is a member of `default` from the seed, outside PIM.
    const standing = demoUser("n01@contoso.com").id;
    const owner = demoUser("aud01@contoso.com").id;
    const graph = appGraphClient();
    const ownership = { accessId: "owner", groupId: groupId("default"), principalId: owner };
    await graph.api(REQUESTS).post({
      ...ownership,
      action: "adminAssign",
      justification: "Owner for the test",
      scheduleInfo: { expiration: { type: "afterDuration", duration: "PT1H" } },
    });
    try {
      const listed = await entraPimGroupProvider.list(bindingTo("entraPimGroup", groupId("default")));

      expect(listed).toContainEqual({ principalId: standing, endAt: null, providerId: expect.any(String) });
      expect(principalsOf(listed)).not.toContain(owner);
    } finally {
      await graph.api(REQUESTS).post({ ...ownership, action: "adminRemove" });
    }
  });

  it("a permanent member assigned outside AKS JIT is a conflict, and keeps their membership", async () => {
    // Guards against taking over standing access: our removal at the end would then take it away.
    const person = demoUser("n01@contoso.com").id;
    const grant: GrantTarget = {
      principalId: person,
      grant: { kind: "entraPimGroup", groupId: groupId("default") },
      clusterResourceId: CLUSTER,
      nodeResourceGroupId: "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/MC_rg-aks-prod",
    };

    const error = await rejection(entraPimGroupProvider.apply(grant, windowOf(1)));

    expect(error.kind).toBe("conflict");
    expect(await membersOf("default")).toContain(person);
    expect(await pimAssignmentsOf(grant)).toEqual([]);
  });
});

describe("entraGroupProvider against the emulator", () => {
  it("apply adds the member, applying again succeeds, and read sees it with no end", async () => {
    const grant = target("entraGroup", "auditors", "p01@contoso.com");
    expect(await entraGroupProvider.read(grant)).toEqual({ isActive: false });

    await expect(entraGroupProvider.apply(grant, windowOf(1))).resolves.toEqual({ enforcedEndAt: null });
    await expect(entraGroupProvider.apply(grant, windowOf(1))).resolves.toEqual({ enforcedEndAt: null });

    expect((await membersOf("auditors")).filter((id) => id === grant.principalId)).toHaveLength(1);
    expect(await entraGroupProvider.read(grant)).toEqual({ isActive: true, endAt: null });
    await expect(entraGroupProvider.extend(grant, windowOf(2))).resolves.toEqual({ enforcedEndAt: null });
  });

  it("remove takes the member out, and removing again succeeds", async () => {
    const grant = target("entraGroup", "auditors", "n02@contoso.com");
    await entraGroupProvider.apply(grant, windowOf(1));

    await expect(entraGroupProvider.remove(grant, { requestId: randomUUID(), justification: "Done" })).resolves.toEqual(
      { enforcedEndAt: null },
    );

    expect(await membersOf("auditors")).not.toContain(grant.principalId);
    expect(await entraGroupProvider.read(grant)).toEqual({ isActive: false });
    await expect(entraGroupProvider.remove(grant, { requestId: randomUUID(), justification: "Done" })).resolves.toEqual(
      { enforcedEndAt: null },
    );
  });

  it("read also counts membership that PIM granted", async () => {
    const pim = target("entraPimGroup", "approver", "aud01@contoso.com");
    await entraPimGroupProvider.apply(pim, windowOf(1));

    expect(
      await entraGroupProvider.read({ ...pim, grant: { kind: "entraGroup", groupId: groupId("approver") } }),
    ).toEqual({
      isActive: true,
      endAt: null,
    });
  });

  it("list shows the group's direct members with no end, and no longer those removed", async () => {
    const first = target("entraGroup", "auditors", "n01@contoso.com");
    const second = target("entraGroup", "auditors", "p01@contoso.com");
    const elsewhere = target("entraGroup", "admin", "adm01@contoso.com");
    await entraGroupProvider.apply(first, windowOf(1));
    await entraGroupProvider.apply(second, windowOf(1));
    await entraGroupProvider.apply(elsewhere, windowOf(1));

    const listed = await entraGroupProvider.list(bindingOf(first));

    expect(listed).toEqual(
      expect.arrayContaining([
        { principalId: first.principalId, endAt: null },
        { principalId: second.principalId, endAt: null },
        // a member from the seed, not given by AKS JIT
        { principalId: demoUser("aud01@contoso.com").id, endAt: null },
      ]),
    );
    expect(principalsOf(listed)).not.toContain(elsewhere.principalId);

    await entraGroupProvider.remove(first, { requestId: randomUUID(), justification: "Done" });

    const afterRemoval = await entraGroupProvider.list(bindingOf(first));
    expect(principalsOf(afterRemoval)).not.toContain(first.principalId);
    expect(principalsOf(afterRemoval)).toContain(second.principalId);
  });

  it("list of a group Graph does not know is not_found", async () => {
    const error = await rejection(entraGroupProvider.list(bindingTo("entraGroup", randomUUID())));

    expect(error).toMatchObject({ kind: "not_found", status: 404, code: "Request_ResourceNotFound" });
  });

  it("a person Graph does not know is not_found", async () => {
    const grant = target("entraGroup", "auditors", "n01@contoso.com");
    const stranger = { ...grant, principalId: randomUUID() };

    const error = await rejection(entraGroupProvider.apply(stranger, windowOf(1)));

    expect(error).toMatchObject({ kind: "not_found", status: 404, code: "Request_ResourceNotFound" });
  });
});

describe("toProviderError", () => {
  const graphError = (status: number, code: string | null, message: string, headers?: Record<string, string>) => {
    const error = new GraphError(status, message);
    error.code = code;
    error.requestId = "rid-1";
    if (headers) error.headers = new Headers(headers);
    return error;
  };

  it.each([
    { given: "HTTP 503", error: graphError(503, "ServiceUnavailable", "Try later"), kind: "transient" },
    { given: "a failed fetch", error: graphError(-1, "TypeError", "fetch failed"), kind: "transient" },
    { given: "an error from outside the Graph client", error: new TypeError("fetch failed"), kind: "transient" },
    {
      given: "a token request Entra refused",
      error: graphError(-1, "AuthenticationError", "AADSTS7000215: Invalid client secret provided."),
      kind: "forbidden",
    },
    {
      given: "a token request that got no answer",
      error: graphError(-1, "AuthenticationError", "network timeout at login.microsoftonline.com"),
      kind: "transient",
    },
    { given: "HTTP 403", error: graphError(403, "Authorization_RequestDenied", "Insufficient."), kind: "forbidden" },
    { given: "HTTP 401", error: graphError(401, "InvalidAuthenticationToken", "Token is empty."), kind: "forbidden" },
    { given: "HTTP 404", error: graphError(404, "Request_ResourceNotFound", "Not there."), kind: "not_found" },
    { given: "HTTP 409", error: graphError(409, "Conflict", "Conflict"), kind: "conflict" },
    { given: "RoleAssignmentExists", error: graphError(400, "RoleAssignmentExists", "Exists."), kind: "conflict" },
    {
      given: "RoleAssignmentDoesNotExist",
      error: graphError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist."),
      kind: "not_found",
    },
    {
      given: "an existing member",
      error: graphError(400, "Request_BadRequest", "One or more added object references already exist"),
      kind: "conflict",
    },
    {
      given: "ActiveDurationTooShort",
      error: graphError(
        400,
        "ActiveDurationTooShort",
        "The Active duration is too short. Miniumum Required is 5 minutes.",
      ),
      kind: "too_soon",
    },
    { given: "another HTTP 400", error: graphError(400, "BadRequest", "Invalid value 'x'."), kind: "invalid" },
  ])("$given → $kind", ({ error, kind }) => {
    expect(toProviderError(error, "do it").kind).toBe(kind);
  });

  it("keeps status, code and request id, and reads Retry-After as an HTTP date", () => {
    const error = toProviderError(
      graphError(429, "TooManyRequests", "Please retry again later.", {
        "Retry-After": new Date(Date.now() + 120_000).toUTCString(),
      }),
      "do it",
    );

    expect(error).toMatchObject({ kind: "throttled", status: 429, code: "TooManyRequests", requestId: "rid-1" });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(119);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it("parses Retry-After seconds and dates, and the failed policy rules", () => {
    expect(parseRetryAfter("2.128")).toBe(3);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("2015-10-21T07:28:00Z"))).toBe(30);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseFailedRules('The following policy rules failed: ["EligibilityRule","ExpirationRule"]')).toEqual([
      "EligibilityRule",
      "ExpirationRule",
    ]);
  });
});
