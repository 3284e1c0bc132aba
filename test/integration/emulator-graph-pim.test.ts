import { type Client, ResponseType } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCertificates } from "../../emulator/certs";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { EmulatorState } from "../../emulator/state";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { CERT_DIR } from "../../scripts/lib/paths";
import { demoUser } from "../support/emulator-browser";
import { emulatorConfidentialClient, emulatorGraphClient, signInThroughPicker } from "../support/emulator-clients";

/**
 * The emulator's PIM for Groups, membership, sign-in revocation and mail endpoints, through MSAL and
 * the Graph client as the app uses them. This file runs its own emulator with a clock it moves, so
 * assignments can expire without waiting, and its writes never reach the shared emulator.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REDIRECT = "http://localhost:1234/auth/callback";
const REQUESTS = "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests";
const INSTANCES = "/identityGovernance/privilegedAccess/group/assignmentScheduleInstances";
const SCHEDULES = "/identityGovernance/privilegedAccess/group/assignmentSchedules";

const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
const groupId = (displayName: string) => tenant.groups.find((g) => g.displayName === displayName)!.id;
const userId = (userPrincipalName: string) => demoUser(userPrincipalName).id;

let emulator: RunningEmulator;
let clock = new Date();
let appClient: Client;

function advance(ms: number) {
  clock = new Date(clock.getTime() + ms);
}

const confidentialClient = () => emulatorConfidentialClient(emulator, tenant, app);
const graph = (accessToken: string) => emulatorGraphClient(emulator, accessToken);

/** Delegated permissions the signed-in tests use: Graph checks `scp` per endpoint (emulator/graph-permissions.ts). */
const USER_SCOPES = ["User.Read", "User.RevokeSessions.All", "PrivilegedAssignmentSchedule.Read.AzureADGroup"];

async function signIn(userPrincipalName: string) {
  const cca = confidentialClient();
  const result = await signInThroughPicker(cca, userPrincipalName, USER_SCOPES, { redirectUri: REDIRECT });
  return { cca, result };
}

async function state(): Promise<EmulatorState> {
  return (await fetch(`${emulator.url}/_emulator/state`)).json();
}

function assign(group: string, principal: string, expiration: Record<string, unknown> | undefined, extra = {}) {
  return appClient.api(REQUESTS).post({
    action: "adminAssign",
    accessId: "member",
    groupId: group,
    principalId: principal,
    justification: "Incident 42",
    scheduleInfo: { startDateTime: clock.toISOString(), ...(expiration ? { expiration } : {}) },
    ...extra,
  });
}

function remove(group: string, principal: string) {
  return appClient
    .api(REQUESTS)
    .post({ action: "adminRemove", accessId: "member", groupId: group, principalId: principal });
}

/** Removes an assignment once PIM allows it: 5 minutes after its start. */
function removeLater(group: string, principal: string) {
  advance(5 * MINUTE);
  return remove(group, principal);
}

const tooShort = {
  statusCode: 400,
  code: "ActiveDurationTooShort",
  message: "The Active duration is too short. Miniumum Required is 5 minutes.",
};

const settings = (body: object) =>
  fetch(`${emulator.url}/_emulator/settings`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function instances(group: string, principal: string) {
  const page = await appClient.api(INSTANCES).filter(`groupId eq '${group}' and principalId eq '${principal}'`).get();
  return page.value as Array<{
    startDateTime: string | null;
    endDateTime: string | null;
    assignmentScheduleId: string;
  }>;
}

async function groupIdsOf(principal: string) {
  const page = await appClient.api(`/users/${principal}/transitiveMemberOf/microsoft.graph.group`).select("id").get();
  return (page.value as Array<{ id: string }>).map((g) => g.id);
}

const policyFailure = (rules: string[]) => ({
  statusCode: 400,
  code: "RoleAssignmentRequestPolicyValidationFailed",
  message: `The following policy rules failed: ${JSON.stringify(rules)}`,
});

/**
 * The demo tenant, whose app may also change PIM policies here: this file edits policy rules through
 * Graph as an administrator would, which the app itself never does (RoleManagementPolicy.ReadWrite.AzureADGroup).
 */
function tenantWithPolicyWrite() {
  const own = Tenant.fromFile(DEMO_TENANT_FILE);
  own.applications[0]!.applicationPermissions.push("RoleManagementPolicy.ReadWrite.AzureADGroup");
  return own;
}

beforeAll(async () => {
  emulator = await startEmulator({
    tenant: tenantWithPolicyWrite(),
    tls: await ensureCertificates(CERT_DIR),
    port: 0,
    now: () => clock,
  });
  const token = await confidentialClient().acquireTokenByClientCredential({
    scopes: ["https://graph.microsoft.com/.default"],
  });
  appClient = graph(token!.accessToken);
});

afterAll(async () => {
  await emulator?.close();
});

describe("Graph emulator: PIM for Groups assignments", () => {
  it("assigns a member for an hour: 201 with the entity, then visible as an instance, in state and as membership", async () => {
    const [group, principal] = [groupId("admin"), userId("n01@contoso.com")];
    // Enum values in PascalCase, as some doc examples send them (contract A.1); answered in CSDL casing.
    const created = await appClient.api(REQUESTS).post({
      action: "AdminAssign",
      accessId: "Member",
      groupId: group,
      principalId: principal,
      justification: "Incident 42",
      ticketInfo: { ticketNumber: "INC-42", ticketSystem: "ServiceNow" },
      scheduleInfo: { startDateTime: clock.toISOString(), expiration: { type: "AfterDuration", duration: "PT1H" } },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "Provisioned",
      action: "adminAssign",
      accessId: "member",
      approvalId: null,
      createdDateTime: clock.toISOString(),
      completedDateTime: clock.toISOString(),
      createdBy: { application: { id: app.appId } },
      scheduleInfo: { startDateTime: clock.toISOString(), expiration: { type: "afterDuration", duration: "PT1H" } },
      ticketInfo: { ticketNumber: "INC-42", ticketSystem: "ServiceNow" },
      targetScheduleId: expect.stringMatching(new RegExp(`^${group}_member_[0-9a-f-]{36}$`)),
    });
    const end = new Date(clock.getTime() + HOUR).toISOString();

    expect(await instances(group, principal)).toEqual([
      expect.objectContaining({
        startDateTime: clock.toISOString(),
        endDateTime: end,
        assignmentScheduleId: created.targetScheduleId,
        memberType: "direct",
        assignmentType: "assigned",
      }),
    ]);
    const now = await state();
    expect(now.pimGroupAssignments).toContainEqual({
      groupId: group,
      principalId: principal,
      accessId: "member",
      startDateTime: clock.toISOString(),
      endDateTime: end,
    });
    expect(now.groups.find((g) => g.id === group)!.members).toContain(principal);
    expect(await groupIdsOf(principal)).toContain(group);

    // A second assignment while the first is active is refused, and creates nothing.
    await expect(assign(group, principal, { type: "afterDuration", duration: "PT1H" })).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentExists",
      message: "The Role assignment already exists.",
    });
    expect(await instances(group, principal)).toHaveLength(1);

    // PIM keeps it for 5 minutes from its start: an earlier adminRemove is refused and changes nothing.
    advance(5 * MINUTE - 1000);
    await expect(remove(group, principal)).rejects.toMatchObject(tooShort);
    expect(await instances(group, principal)).toHaveLength(1);

    // From then on, adminRemove ends it at once; removing again finds nothing.
    advance(1000);
    expect(await remove(group, principal)).toMatchObject({
      status: "Revoked",
      action: "adminRemove",
      targetScheduleId: created.targetScheduleId,
    });
    expect(await instances(group, principal)).toEqual([]);
    const after = await state();
    expect(after.pimGroupAssignments.filter((a) => a.groupId === group)).toEqual([]);
    expect(after.groups.find((g) => g.id === group)!.members).not.toContain(principal);
    expect(await groupIdsOf(principal)).not.toContain(group);
    await expect(remove(group, principal)).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleAssignmentDoesNotExist",
    });
  });

  it("refuses an admin assignment longer than the policy's Expiration_Admin_Assignment (P180D), or without an end, with ExpirationRule", async () => {
    const [group, principal] = [groupId("admin"), userId("n02@contoso.com")];
    await expect(assign(group, principal, { type: "afterDuration", duration: "P181D" })).rejects.toMatchObject(
      policyFailure(["ExpirationRule"]),
    );
    const tooLate = new Date(clock.getTime() + 180 * 24 * HOUR + MINUTE).toISOString();
    await expect(assign(group, principal, { type: "afterDateTime", endDateTime: tooLate })).rejects.toMatchObject(
      policyFailure(["ExpirationRule"]),
    );
    await expect(assign(group, principal, undefined)).rejects.toMatchObject(policyFailure(["ExpirationRule"]));
    await expect(assign(group, principal, { type: "noExpiration" })).rejects.toMatchObject(
      policyFailure(["ExpirationRule"]),
    );
    expect(await instances(group, principal)).toEqual([]);
    // Exactly the maximum is allowed; the end user's activation limit (PT8H) does not hold admins.
    await assign(group, principal, { type: "afterDuration", duration: "P180D" });
    await removeLater(group, principal);
    await assign(group, principal, { type: "afterDuration", duration: "PT9H" });
    await removeLater(group, principal);
  });

  it("moves the end of an active assignment with adminExtend, within the admin assignment maximum", async () => {
    const [group, principal] = [groupId("node-access"), userId("n01@contoso.com")];
    const created = await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    advance(30 * MINUTE);
    const newEnd = new Date(clock.getTime() + 3 * HOUR).toISOString();
    const extended = await appClient.api(REQUESTS).post({
      action: "adminExtend",
      accessId: "member",
      groupId: group,
      principalId: principal,
      justification: "Still on the incident",
      scheduleInfo: { expiration: { type: "afterDateTime", endDateTime: newEnd } },
    });
    expect(extended).toMatchObject({ status: "Provisioned", targetScheduleId: created.targetScheduleId });
    expect((await instances(group, principal)).map((i) => i.endDateTime)).toEqual([newEnd]);
    expect((await state()).pimGroupAssignments.find((a) => a.groupId === group)?.endDateTime).toBe(newEnd);

    await expect(
      appClient.api(REQUESTS).post({
        action: "adminExtend",
        accessId: "member",
        groupId: group,
        principalId: principal,
        scheduleInfo: { expiration: { type: "afterDuration", duration: "P181D" } },
      }),
    ).rejects.toMatchObject(policyFailure(["ExpirationRule"]));
    expect((await instances(group, principal)).map((i) => i.endDateTime)).toEqual([newEnd]);

    await remove(group, principal);
    await expect(
      appClient.api(REQUESTS).post({
        action: "adminExtend",
        accessId: "member",
        groupId: group,
        principalId: principal,
        scheduleInfo: { expiration: { type: "afterDuration", duration: "PT1H" } },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "RoleAssignmentDoesNotExist" });
  });

  it("ends an assignment at its end time, computed from the emulator's clock", async () => {
    const [group, principal] = [groupId("node-access"), userId("n02@contoso.com")];
    await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    advance(HOUR - 1000);
    expect(await instances(group, principal)).toHaveLength(1);
    expect(await groupIdsOf(principal)).toContain(group);

    advance(1000);
    expect(await instances(group, principal)).toEqual([]);
    expect(
      (await appClient.api(SCHEDULES).filter(`groupId eq '${group}' and principalId eq '${principal}'`).get()).value,
    ).toEqual([]);
    const now = await state();
    expect(now.pimGroupAssignments.filter((a) => a.principalId === principal)).toEqual([]);
    expect(now.groups.find((g) => g.id === group)!.members).not.toContain(principal);
    expect(await groupIdsOf(principal)).not.toContain(group);
    // Ended, so it no longer blocks a new assignment.
    await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    await removeLater(group, principal);
  });

  it("404s an unknown group or principal with Request_ResourceNotFound", async () => {
    const unknown = "00000000-0000-4000-8000-000000000001";
    await expect(
      assign(unknown, userId("n01@contoso.com"), { type: "afterDuration", duration: "PT1H" }),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
    });
    await expect(assign(groupId("admin"), unknown, { type: "afterDuration", duration: "PT1H" })).rejects.toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
    });
  });

  it("shows members assigned outside PIM as permanent assignments, which an adminAssign cannot duplicate", async () => {
    const [group, principal] = [groupId("default"), userId("n01@contoso.com")];
    expect(await instances(group, principal)).toEqual([
      expect.objectContaining({ startDateTime: null, endDateTime: null, accessId: "member" }),
    ]);
    await expect(assign(group, principal, { type: "afterDuration", duration: "PT1H" })).rejects.toMatchObject({
      code: "RoleAssignmentExists",
    });
  });

  it("lists requests only with a $filter on groupId or principalId, gets them by id, and pages with absolute links", async () => {
    const [group, principal] = [groupId("approver"), userId("aud01@contoso.com")];
    await expect(appClient.api(REQUESTS).get()).rejects.toMatchObject({ statusCode: 400, code: "BadRequest" });
    await expect(appClient.api(INSTANCES).filter("accessId eq 'member'").get()).rejects.toMatchObject({
      statusCode: 400,
    });

    const first = await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    const second = await removeLater(group, principal);
    const listed = await appClient.api(REQUESTS).filter(`groupId eq '${group}'`).get();
    expect(listed.value.map((r: { id: string }) => r.id)).toEqual([first.id, second.id]);
    expect(await appClient.api(`${REQUESTS}/${first.id}`).get()).toMatchObject({ id: first.id, status: "Provisioned" });

    const page = await appClient.api(REQUESTS).filter(`principalId eq '${principal}'`).top(1).get();
    expect(page.value).toHaveLength(1);
    expect(page["@odata.nextLink"]).toMatch(new RegExp(`^${emulator.url}/v1.0/identityGovernance/`));
    const next = await appClient.api(page["@odata.nextLink"]).get();
    expect(next.value.map((r: { id: string }) => r.id)).toEqual([second.id]);
  });

  it("cancels a request whose schedule has not started (204) and refuses to cancel a provisioned one", async () => {
    const [group, principal] = [groupId("admin"), userId("aud01@contoso.com")];
    const later = await appClient.api(REQUESTS).post({
      action: "adminAssign",
      accessId: "member",
      groupId: group,
      principalId: principal,
      scheduleInfo: {
        startDateTime: new Date(clock.getTime() + HOUR).toISOString(),
        expiration: { type: "afterDuration", duration: "PT1H" },
      },
    });
    expect(later.status).toBe("ScheduleCreated");
    expect(await appClient.api(`${REQUESTS}/${later.id}/cancel`).post({})).toBeUndefined();
    expect(await appClient.api(`${REQUESTS}/${later.id}`).get()).toMatchObject({ status: "Canceled" });
    advance(HOUR + MINUTE);
    expect(await instances(group, principal)).toEqual([]);

    const now = await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    await expect(appClient.api(`${REQUESTS}/${now.id}/cancel`).post({})).rejects.toMatchObject({
      statusCode: 400,
      code: "RequestCannotBeCancelled",
    });
    expect(await instances(group, principal)).toHaveLength(1);
    await removeLater(group, principal);
  });

  it("serves the default policy per group and enforces its enabled rules once they are switched on", async () => {
    const [group, principal] = [groupId("auditors"), userId("p01@contoso.com")];
    // Reading and changing policies takes RoleManagementPolicy.ReadWrite.AzureADGroup, which a tenant
    // admin holds; the app is given it for this test (the knob replaces the list, see applications-knob.ts).
    const permissions = (applicationPermissions: string[]) =>
      fetch(`${emulator.url}/_emulator/applications/${app.appId}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ applicationPermissions }),
      });
    await permissions([...app.applicationPermissions, "RoleManagementPolicy.ReadWrite.AzureADGroup"]);
    const assignments = await appClient
      .api("/policies/roleManagementPolicyAssignments")
      .filter(`scopeId eq '${group}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`)
      .expand("policy($expand=rules)")
      .get();
    expect(assignments.value).toHaveLength(1);
    const [assignment] = assignments.value;
    expect(assignment.policyId).toMatch(new RegExp(`^Group_${group}_[0-9a-f-]{36}$`));
    expect(assignment).toMatchObject({
      id: `${assignment.policyId}_member`,
      scopeId: group,
      scopeType: "Group",
      roleDefinitionId: "member",
    });
    const rules: Array<{ id: string }> = assignment.policy.rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        id: "Expiration_EndUser_Assignment",
        isExpirationRequired: true,
        maximumDuration: "PT8H",
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        id: "Expiration_Admin_Assignment",
        isExpirationRequired: true,
        maximumDuration: "P180D",
      }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ id: "Enablement_EndUser_Assignment", enabledRules: [] }));

    // The end user's rules hold activations, not an admin's assignments.
    const enablement = (caller: "EndUser" | "Admin", enabledRules: string[]) =>
      appClient
        .api(`/policies/roleManagementPolicies/${assignment.policyId}/rules/Enablement_${caller}_Assignment`)
        .patch({
          "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
          id: `Enablement_${caller}_Assignment`,
          enabledRules,
        });
    await enablement("EndUser", ["Justification", "Ticketing"]);
    await appClient.api(REQUESTS).post({
      action: "adminAssign",
      accessId: "member",
      groupId: group,
      principalId: principal,
      scheduleInfo: { startDateTime: clock.toISOString(), expiration: { type: "afterDuration", duration: "PT1H" } },
    });
    await removeLater(group, principal);
    await enablement("EndUser", []);
    await enablement("Admin", ["Justification", "Ticketing"]);
    const bare = { action: "adminAssign", accessId: "member", groupId: group, principalId: principal };
    const hour = { startDateTime: clock.toISOString(), expiration: { type: "afterDuration", duration: "PT1H" } };
    await expect(appClient.api(REQUESTS).post({ ...bare, scheduleInfo: hour })).rejects.toMatchObject(
      policyFailure(["JustificationRule", "TicketingRule"]),
    );
    await expect(
      appClient
        .api(REQUESTS)
        .post({ ...bare, justification: "Audit", scheduleInfo: { startDateTime: clock.toISOString() } }),
    ).rejects.toMatchObject(policyFailure(["ExpirationRule", "TicketingRule"]));
    await appClient.api(REQUESTS).post({
      ...bare,
      justification: "Audit",
      ticketInfo: { ticketNumber: "CHG-7" },
      scheduleInfo: hour,
    });
    await removeLater(group, principal);

    // Other groups keep their own, default policy.
    await assign(
      groupId("admin"),
      principal,
      { type: "afterDuration", duration: "PT1H" },
      { justification: undefined },
    );
    await removeLater(groupId("admin"), principal);
    await enablement("Admin", []);
    await permissions(app.applicationPermissions);
  });

  it("shows a new assignment in the instances and the members only after pimReplicationDelaySeconds", async () => {
    const [group, principal] = [groupId("node-access"), userId("p01@contoso.com")];
    await settings({ pimReplicationDelaySeconds: 90 });
    try {
      const created = await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
      // The schedule is there at once (it blocks a second assignment); the instance and membership are not yet.
      const schedules = await appClient
        .api(SCHEDULES)
        .filter(`groupId eq '${group}' and principalId eq '${principal}'`)
        .get();
      expect(schedules.value.map((x: { id: string }) => x.id)).toEqual([created.targetScheduleId]);
      expect(await instances(group, principal)).toEqual([]);
      expect(await groupIdsOf(principal)).not.toContain(group);
      advance(90_000);
      expect(await instances(group, principal)).toHaveLength(1);
      expect(await groupIdsOf(principal)).toContain(group);
      await removeLater(group, principal);
    } finally {
      await settings({ pimReplicationDelaySeconds: 0 });
    }
  });

  it("moves its clock with PUT /_emulator/clock: an assignment ends when the offset passes its end", async () => {
    const [group, principal] = [groupId("node-access"), userId("aud01@contoso.com")];
    await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    const move = (offsetSeconds: number) =>
      fetch(`${emulator.url}/_emulator/clock`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ offsetSeconds }),
      });
    expect((await move(3600)).status).toBe(200);
    expect(await instances(group, principal)).toEqual([]);
    await move(0);
    expect(await instances(group, principal)).toHaveLength(1);
    expect((await move(Number.NaN)).status).toBe(400);
    await removeLater(group, principal);
  });
});

describe("Graph emulator: group members, sign-in revocation and mail", () => {
  it("adds a member with members/$ref (204), refuses a duplicate (400), removes it (204), then 404s", async () => {
    const [group, principal] = [groupId("jit-admins"), userId("n02@contoso.com")];
    const ref = { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${principal}` };
    expect(await appClient.api(`/groups/${group}/members/$ref`).post(ref)).toBeUndefined();
    expect((await state()).groups.find((g) => g.id === group)!.members).toContain(principal);
    expect(await groupIdsOf(principal)).toContain(group);

    await expect(appClient.api(`/groups/${group}/members/$ref`).post(ref)).rejects.toMatchObject({
      statusCode: 400,
      code: "Request_BadRequest",
      message: "One or more added object references already exist for the following modified properties: 'members'.",
    });
    await expect(
      appClient.api(`/groups/${group}/members/$ref`).post({
        "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-4000-8000-000000000002",
      }),
    ).rejects.toMatchObject({ statusCode: 404, code: "Request_ResourceNotFound" });

    expect(await appClient.api(`/groups/${group}/members/${principal}/$ref`).delete()).toBeUndefined();
    expect((await state()).groups.find((g) => g.id === group)!.members).not.toContain(principal);
    expect(await groupIdsOf(principal)).not.toContain(group);
    await expect(appClient.api(`/groups/${group}/members/${principal}/$ref`).delete()).rejects.toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
    });
  });

  it("ends an active PIM assignment when the member is removed through members/$ref", async () => {
    const [group, principal] = [groupId("approver"), userId("adm01@contoso.com")];
    await assign(group, principal, { type: "afterDuration", duration: "PT1H" });
    await appClient.api(`/groups/${group}/members/${principal}/$ref`).delete();
    expect(await instances(group, principal)).toEqual([]);
    expect((await state()).pimGroupAssignments.filter((a) => a.principalId === principal)).toEqual([]);
  });

  it("revokes sign-in sessions: 200 with value true, recorded, and the user's refresh tokens stop working", async () => {
    const { cca, result } = await signIn("n02@contoso.com");
    const revoked = await graph(result.accessToken).api("/me/revokeSignInSessions").post({});
    expect(revoked).toMatchObject({ value: true });
    expect((await state()).signInRevocations).toContainEqual({
      userId: userId("n02@contoso.com"),
      at: clock.toISOString(),
    });
    await expect(
      cca.acquireTokenSilent({ account: result.account!, scopes: ["User.Read"], forceRefresh: true }),
    ).rejects.toMatchObject({ errorCode: "invalid_grant" });

    expect(await appClient.api("/users/p01@contoso.com/revokeSignInSessions").post({})).toMatchObject({ value: true });
    expect((await state()).signInRevocations.map((r) => r.userId)).toContain(userId("p01@contoso.com"));
  });

  it("lists the caller's own assignments with filterByCurrentUser(on='principal'), for delegated tokens only", async () => {
    const { result } = await signIn("p01@contoso.com");
    const mine = await graph(result.accessToken).api(`${INSTANCES}/filterByCurrentUser(on='principal')`).get();
    expect(mine.value.map((i: { groupId: string }) => i.groupId).sort()).toEqual([groupId("approver")].sort());
    await expect(appClient.api(`${INSTANCES}/filterByCurrentUser(on='principal')`).get()).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it("sends mail with 202 and keeps it in the mailbox shown at /_emulator/state", async () => {
    const sent: Response = await appClient
      .api("/users/p01@contoso.com/sendMail")
      .responseType(ResponseType.RAW)
      .post({
        message: {
          subject: "Access request waiting for you",
          body: { contentType: "Text", content: "Nadia asks for admin on aks-prod-weu." },
          toRecipients: [{ emailAddress: { address: "p01@contoso.com" } }],
        },
        saveToSentItems: false,
      });
    expect(sent.status).toBe(202);
    expect((await state()).mail).toContainEqual({
      from: "p01@contoso.com",
      to: ["p01@contoso.com"],
      subject: "Access request waiting for you",
      body: "Nadia asks for admin on aks-prod-weu.",
      sentAt: clock.toISOString(),
    });
    await expect(
      appClient.api("/users/p01@contoso.com/sendMail").post({ message: { subject: "x", toRecipients: [] } }),
    ).rejects.toMatchObject({ statusCode: 400, code: "ErrorInvalidRecipients" });
  });
});
