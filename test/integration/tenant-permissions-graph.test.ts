import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderError, type GrantTarget, type GrantWindow } from "@/lib/cloud/access-provider";
import { liveGroupIds, revokeSignInSessions } from "@/lib/cloud/directory";
import { entraGroupProvider } from "@/lib/cloud/providers/entra-group";
import { entraPimGroupProvider } from "@/lib/cloud/providers/entra-pim-group";
import { GRAPH_PERMISSIONS, type GraphPermission } from "@/lib/cloud/required-permissions";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { userById, usersInGroup } from "@/lib/notify/directory-people";
import { sendEmail } from "@/lib/notify/email";
import type { NotificationMessage } from "@/lib/notify/messages";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { demoUser } from "../support/emulator-browser";

/**
 * The app's Graph operations against a tenant that grants exactly the README's permissions
 * (lib/cloud/required-permissions.ts): with them every operation works; without the one an operation
 * needs, Graph refuses it (403 Authorization_RequestDenied) and the app's error names the permission
 * to grant, instead of a bare "forbidden". Guards against the emulator granting any call to any app
 * token, which once hid that the README's list was short. Through the app's own Graph client and the
 * shared emulator; afterEach gives the app its permissions back and removes what was assigned.
 */
const HOUR = 3_600_000;
const CLUSTER =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu";
const NODE_RG = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/MC_rg-aks-prod";
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const groupId = (displayName: string) => tenant.groups.find((g) => g.displayName === displayName)!.id;
const DEMO_PERMISSIONS = GRAPH_PERMISSIONS.map((p) => p.permission);
const AUD01 = demoUser("aud01@contoso.com").id;

const pimTarget: GrantTarget = {
  principalId: AUD01,
  grant: { kind: "entraPimGroup", groupId: groupId("node-access") },
  clusterResourceId: CLUSTER,
  nodeResourceGroupId: NODE_RG,
};
const groupTarget: GrantTarget = { ...pimTarget, grant: { kind: "entraGroup", groupId: groupId("admin") } };
const window = (): GrantWindow => ({
  startAt: new Date(),
  endAt: new Date(Date.now() + HOUR),
  justification: "Permission check",
  requestId: randomUUID(),
});
const message: NotificationMessage = {
  kind: "request_filed",
  title: "Permission check",
  text: "A message from the permissions test.",
  facts: [],
  linkPath: "/",
  url: env.APP_URL,
  actionTitle: "Open",
  isUrgent: false,
};

async function grant(applicationPermissions: readonly string[]) {
  const response = await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/applications/${env.ENTRA_CLIENT_ID}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ applicationPermissions }),
  });
  if (!response.ok) throw new Error(`PATCH /_emulator/applications answered ${response.status}`);
}
const without = (...removed: GraphPermission[]) => grant(DEMO_PERMISSIONS.filter((p) => !removed.includes(p)));

async function failureOf(operation: () => Promise<unknown>) {
  return operation().then(
    () => {
      throw new Error("expected the operation to be refused");
    },
    (error: unknown) => error,
  );
}

/** The words the app's errors use for a missing permission (lib/cloud/providers/graph-errors.ts). */
const naming = (permission: GraphPermission) =>
  new RegExp(
    `\\(HTTP 403 Authorization_RequestDenied\\): the app needs the application permission ${permission.replaceAll(".", "\\.")} with admin consent\\.`,
  );

afterEach(async () => {
  await grant(DEMO_PERMISSIONS);
  await entraPimGroupProvider.remove(pimTarget, { requestId: randomUUID(), justification: "clean up" });
  await entraGroupProvider.remove(groupTarget, { requestId: randomUUID(), justification: "clean up" });
});

describe("the demo tenant's Graph permissions", () => {
  it("let every Graph operation the app performs work", async () => {
    await entraPimGroupProvider.apply(pimTarget, window());
    expect(await entraPimGroupProvider.read(pimTarget)).toMatchObject({ isActive: true });
    await entraPimGroupProvider.remove(pimTarget, { requestId: randomUUID(), justification: "done" });
    await entraGroupProvider.apply(groupTarget, window());
    expect(await entraGroupProvider.list(groupTarget)).toContainEqual({ principalId: AUD01, endAt: null });
    await entraGroupProvider.remove(groupTarget, { requestId: randomUUID(), justification: "done" });
    await revokeSignInSessions(AUD01);
    await sendEmail({ address: "aud01@contoso.com", name: "Alex Dubois" }, message);
    expect(await userById(AUD01)).toMatchObject({ userPrincipalName: "aud01@contoso.com" });
    expect(await usersInGroup(groupId("auditors"))).toContainEqual(expect.objectContaining({ objectId: AUD01 }));
    expect(await liveGroupIds(AUD01)).toContain(groupId("auditors"));
  });

  it.each<[string, GraphPermission[], GraphPermission, () => Promise<unknown>]>([
    [
      "apply an entraPimGroup grant",
      ["PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup"],
      "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
      () => entraPimGroupProvider.apply(pimTarget, window()),
    ],
    [
      "remove an entraPimGroup grant",
      ["PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup"],
      "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
      () => entraPimGroupProvider.remove(pimTarget, { requestId: randomUUID(), justification: "x" }),
    ],
    [
      "add an entraGroup member",
      ["GroupMember.ReadWrite.All"],
      "GroupMember.ReadWrite.All",
      () => entraGroupProvider.apply(groupTarget, window()),
    ],
    [
      "remove an entraGroup member",
      ["GroupMember.ReadWrite.All"],
      "GroupMember.ReadWrite.All",
      () => entraGroupProvider.remove(groupTarget, { requestId: randomUUID(), justification: "x" }),
    ],
    [
      "revoke sign-in sessions",
      ["User.RevokeSessions.All"],
      "User.RevokeSessions.All",
      () => revokeSignInSessions(AUD01),
    ],
    ["read a user", ["User.Read.All"], "User.Read.All", () => userById(AUD01)],
    [
      // GroupMember.ReadWrite.All (for entraGroup grants) also allows reading members.
      "list a group's people",
      ["GroupMember.Read.All", "GroupMember.ReadWrite.All"],
      "GroupMember.Read.All",
      () => usersInGroup(groupId("auditors")),
    ],
    [
      // transitiveMemberOf is allowed by User.Read.All as well (user-list-transitivememberof.md).
      "read a person's groups (transitiveMemberOf)",
      ["GroupMember.Read.All", "User.Read.All"],
      "GroupMember.Read.All",
      () => entraGroupProvider.read(groupTarget),
    ],
  ])("refuses to %s without %j, naming %s", async (_operation, removed, named, operation) => {
    await without(...removed);
    const error = await failureOf(operation);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "forbidden", status: 403, code: "Authorization_RequestDenied" });
    expect((error as ProviderError).message).toMatch(naming(named));
    expect((error as ProviderError).isRetryable).toBe(false);

    // Granting it back is all it takes.
    await grant(DEMO_PERMISSIONS);
    await operation();
  });

  it("names Mail.Send when mail cannot be sent", async () => {
    await without("Mail.Send");
    const error = await failureOf(() => sendEmail({ address: "aud01@contoso.com", name: "Alex Dubois" }, message));
    expect((error as Error).message).toMatch(naming("Mail.Send"));
  });

  it("tells an approver which permission is missing when their membership cannot be checked live", async () => {
    // With GroupMember.Read.All alone gone, User.Read.All still allows transitiveMemberOf.
    await without("GroupMember.Read.All");
    expect(await liveGroupIds(AUD01)).toContain(groupId("auditors"));
    await without("GroupMember.Read.All", "User.Read.All");
    const error = await failureOf(() => liveGroupIds(AUD01));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).userMessage).toMatch(naming("GroupMember.Read.All"));
    expect((error as AppError).userMessage).toMatch(/nothing was recorded/);
  });
});
