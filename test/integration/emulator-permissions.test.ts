import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GRAPH_PERMISSIONS } from "@/lib/cloud/required-permissions";
import { ensureCertificates } from "../../emulator/certs";
import {
  GRAPH_APP_ROLE_IDS,
  GRAPH_PERMISSION_TABLE,
  MICROSOFT_GRAPH_APP_ID,
  MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID,
} from "../../emulator/graph-permissions";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { Tenant } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";
import { CERT_DIR } from "../../scripts/lib/paths";
import { demoUser } from "../support/emulator-browser";
import { emulatorConfidentialClient, emulatorGraphClient, signInThroughPicker } from "../support/emulator-clients";

/**
 * The emulator as strict as Entra ID and Graph about an app's permissions and optional claims:
 * Graph refuses calls the app's granted application permissions (or the user token's delegated
 * scopes) do not cover, per endpoint; client credentials for a resource the tenant does not know are
 * refused; auth_time and acrs reach ID tokens only when the app registration asks for them; and the
 * registration and its grants can be read as `npm run doctor` reads them. Its own emulator, so that
 * the registration changes made here never reach other files.
 */
const REDIRECT = "http://localhost:1234/auth/callback";
const tenant = Tenant.fromFile(DEMO_TENANT_FILE);
const app = tenant.applications[0]!;
const DEMO_PERMISSIONS = [...app.applicationPermissions];
const DEMO_OPTIONAL_CLAIMS = structuredClone(app.optionalClaims);
const groupId = (displayName: string) => tenant.groups.find((g) => g.displayName === displayName)!.id;

let emulator: RunningEmulator;

const confidentialClient = () => emulatorConfidentialClient(emulator, tenant, app);
const graph = (accessToken: string) => emulatorGraphClient(emulator, accessToken);

async function appGraph() {
  const result = await confidentialClient().acquireTokenByClientCredential({
    scopes: ["https://graph.microsoft.com/.default"],
  });
  return { client: graph(result!.accessToken), token: result!.accessToken };
}

/** Tokens from a real sign-in (auth code + PKCE), with `claims` if given. */
async function signIn(userPrincipalName: string, scopes: string[], claims?: string) {
  return signInThroughPicker(confidentialClient(), userPrincipalName, scopes, { redirectUri: REDIRECT, claims });
}

async function patchApplication(body: object) {
  const response = await fetch(`${emulator.url}/_emulator/applications/${app.appId}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const denied = {
  statusCode: 403,
  code: "Authorization_RequestDenied",
  message: "Insufficient privileges to complete the operation.",
};

beforeAll(async () => {
  emulator = await startEmulator({
    tenant: Tenant.fromFile(DEMO_TENANT_FILE),
    tls: await ensureCertificates(CERT_DIR),
    port: 0,
  });
});

afterEach(async () => {
  await patchApplication({ applicationPermissions: DEMO_PERMISSIONS, optionalClaims: DEMO_OPTIONAL_CLAIMS });
});

afterAll(async () => {
  await emulator?.close();
});

describe("Graph permission table", () => {
  it("has a row for every Graph route the emulator serves, and none for a route it does not serve", () => {
    const graphRoutes = emulator
      .routes()
      .filter((r) => r.path.startsWith("/v1.0/"))
      .map((r) => `${r.method} ${r.path}`);
    const rows = GRAPH_PERMISSION_TABLE.map((r) => `${r.method} ${r.route}`);
    expect(graphRoutes.filter((r) => !rows.includes(r))).toEqual([]);
    expect(rows.filter((r) => !graphRoutes.includes(r))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
    for (const row of GRAPH_PERMISSION_TABLE) expect(row.doc).toMatch(/^microsoftgraph\/microsoft-graph-docs-contrib /);
  });

  it("grants the demo app exactly the permissions lib/cloud/required-permissions.ts lists, each a Graph app role", () => {
    expect([...DEMO_PERMISSIONS].sort()).toEqual(GRAPH_PERMISSIONS.map((p) => p.permission).sort());
    for (const permission of DEMO_PERMISSIONS) expect(GRAPH_APP_ROLE_IDS[permission]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("client credentials", () => {
  it("puts the granted permissions in roles for Graph only", async () => {
    const { token } = await appGraph();
    expect(decodeJwt(token)).toMatchObject({
      idtyp: "app",
      roles: DEMO_PERMISSIONS,
      aud: "https://graph.microsoft.com",
    });
    const arm = await confidentialClient().acquireTokenByClientCredential({
      scopes: ["https://management.azure.com/.default"],
    });
    expect(decodeJwt(arm!.accessToken).roles).toBeUndefined();
  });

  it("issues tokens for Graph, ARM (both names, with or without slash) and the app's own API only; AADSTS500011 otherwise", async () => {
    for (const resource of [
      "https://graph.microsoft.com",
      "https://management.azure.com/",
      "https://management.core.windows.net",
      `api://${app.appId}`,
    ]) {
      const result = await confidentialClient().acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
      expect(decodeJwt(result!.accessToken).aud).toBe(resource);
    }
    const response = await fetch(`${emulator.url}/${tenant.id}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: app.appId,
        client_secret: app.clientSecret!,
        scope: "https://vault.azure.net/.default",
      }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
    expect(body.error_description).toMatch(
      /^AADSTS500011: The resource principal named https:\/\/vault\.azure\.net was not found in the tenant named Contoso \(demo\)\./,
    );
  });
});

describe("Graph enforces application permissions", () => {
  it("refuses a call no granted permission covers with 403 Authorization_RequestDenied, and allows a higher one Microsoft lists", async () => {
    const group = groupId("node-access");
    const member = { "@odata.id": `${emulator.url}/v1.0/directoryObjects/${demoUser("aud01@contoso.com").id}` };
    const withoutWrite = DEMO_PERMISSIONS.filter((p) => p !== "GroupMember.ReadWrite.All");
    await patchApplication({ applicationPermissions: withoutWrite });
    const { client } = await appGraph();
    await expect(client.api(`/groups/${group}/members/$ref`).post(member)).rejects.toMatchObject(denied);
    // Reading members still works: GroupMember.Read.All covers it.
    await expect(client.api(`/groups/${group}/members`).get()).resolves.toMatchObject({ value: [] });

    // Directory.ReadWrite.All is among the higher permissions the doc lists: it allows the write.
    await patchApplication({ applicationPermissions: [...withoutWrite, "Directory.ReadWrite.All"] });
    await client.api(`/groups/${group}/members/$ref`).post(member);
    await client.api(`/groups/${group}/members/${demoUser("aud01@contoso.com").id}/$ref`).delete();
  });

  it("needs both permissions of a combination: accountEnabled takes User.EnableDisableAccount.All and User.Read.All", async () => {
    const user = demoUser("n02@contoso.com").id;
    await patchApplication({ applicationPermissions: ["User.EnableDisableAccount.All"] });
    const { client } = await appGraph();
    await expect(client.api(`/users/${user}`).patch({ accountEnabled: true })).rejects.toMatchObject(denied);
    await patchApplication({ applicationPermissions: ["User.EnableDisableAccount.All", "User.Read.All"] });
    await client.api(`/users/${user}`).patch({ accountEnabled: true });
  });

  it("checks delegated calls against the token's scp: User.Read reads /me and its groups, not another's sessions", async () => {
    const result = await signIn("p01@contoso.com", ["User.Read"]);
    const client = graph(result.accessToken);
    await expect(client.api("/me").get()).resolves.toMatchObject({ userPrincipalName: "p01@contoso.com" });
    await expect(client.api("/me/transitiveMemberOf").get()).resolves.toMatchObject({
      value: expect.arrayContaining([expect.objectContaining({ displayName: "approver" })]),
    });
    await expect(
      client.api(`/users/${demoUser("n01@contoso.com").id}/revokeSignInSessions`).post({}),
    ).rejects.toMatchObject(denied);
    await expect(client.api("/me/sendMail").post({ message: {} })).rejects.toMatchObject(denied);
  });
});

describe("app registration and grants, as the doctor reads them", () => {
  it("serves the application by appId with its redirect URIs, groups claim and optional claims", async () => {
    const { client } = await appGraph();
    const application = await client.api(`/applications(appId='${app.appId}')`).get();
    expect(application).toMatchObject({
      id: app.id,
      appId: app.appId,
      displayName: app.displayName,
      groupMembershipClaims: "SecurityGroup",
      web: { redirectUris: app.redirectUris },
      spa: { redirectUris: app.spaRedirectUris },
      optionalClaims: {
        idToken: [
          { name: "auth_time", source: null, essential: false, additionalProperties: [] },
          { name: "acrs", source: null, essential: false, additionalProperties: [] },
        ],
        accessToken: [],
        saml2Token: [],
      },
    });
    await expect(client.api(`/applications(appId='${MICROSOFT_GRAPH_APP_ID}')`).get()).rejects.toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
    });
  });

  it("serves Microsoft Graph's service principal with its app roles, and the app's grants as appRoleAssignments", async () => {
    const { client } = await appGraph();
    const graphPrincipal = await client.api(`/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')`).get();
    expect(graphPrincipal).toMatchObject({ id: MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID, displayName: "Microsoft Graph" });
    expect(graphPrincipal.appRoles).toContainEqual({
      id: "df021288-bdef-4463-88db-98f22de89214",
      value: "User.Read.All",
      displayName: "User.Read.All",
      description: "User.Read.All",
      allowedMemberTypes: ["Application"],
      isEnabled: true,
      origin: "Application",
    });
    const principal = await client.api(`/servicePrincipals(appId='${app.appId}')`).get();
    expect(principal).toMatchObject({ id: app.servicePrincipalId, appId: app.appId });

    const assignments = (await client.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).get()).value;
    const roleIdOf = new Map(graphPrincipal.appRoles.map((r: { id: string; value: string }) => [r.id, r.value]));
    expect(assignments.map((a: { appRoleId: string }) => roleIdOf.get(a.appRoleId)).sort()).toEqual(
      [...DEMO_PERMISSIONS].sort(),
    );
    expect(assignments[0]).toMatchObject({
      principalId: app.servicePrincipalId,
      principalType: "ServicePrincipal",
      resourceId: MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID,
      resourceDisplayName: "Microsoft Graph",
      createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // A withdrawn grant is gone from the list, and the list itself needs Application.Read.All.
    await patchApplication({ applicationPermissions: DEMO_PERMISSIONS.filter((p) => p !== "Mail.Send") });
    const after = (await client.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).get()).value;
    expect(after.map((a: { appRoleId: string }) => a.appRoleId)).not.toContain(GRAPH_APP_ROLE_IDS["Mail.Send"]);
    await patchApplication({ applicationPermissions: DEMO_PERMISSIONS.filter((p) => p !== "Application.Read.All") });
    await expect(client.api(`/servicePrincipals/${principal.id}/appRoleAssignments`).get()).rejects.toMatchObject(
      denied,
    );
    await expect(client.api(`/applications(appId='${app.appId}')`).get()).rejects.toMatchObject(denied);
  });

  it("refuses to grant a permission that is not one of Graph's app roles", async () => {
    const refused = await patchApplication({ applicationPermissions: ["Files.Everything"] });
    expect(refused.status).toBe(400);
    const ok = await patchApplication({ applicationPermissions: ["User.Read.All"] });
    expect(ok).toMatchObject({ status: 200, json: { appId: app.appId, applicationPermissions: ["User.Read.All"] } });
  });
});

describe("optional claims", () => {
  const claims = JSON.stringify({ id_token: { acrs: { essential: true, value: "c1" } } });

  it("puts auth_time and acrs in the ID token only while the registration lists them under idToken", async () => {
    const configured = decodeJwt((await signIn("p01@contoso.com", ["openid", "profile"], claims)).idToken);
    expect(configured).toMatchObject({ acrs: ["c1"], auth_time: expect.any(Number) });

    await patchApplication({ optionalClaims: { idToken: [] } });
    const bare = decodeJwt((await signIn("p01@contoso.com", ["openid", "profile"], claims)).idToken);
    expect(bare.auth_time).toBeUndefined();
    expect(bare.acrs).toBeUndefined();
    // The sign-in itself still satisfied the context: amr says so, as before.
    expect(bare.amr).toEqual(["pwd", "mfa"]);

    await patchApplication({ optionalClaims: { idToken: ["auth_time"] } });
    const authTimeOnly = decodeJwt((await signIn("p01@contoso.com", ["openid", "profile"], claims)).idToken);
    expect(authTimeOnly.auth_time).toEqual(expect.any(Number));
    expect(authTimeOnly.acrs).toBeUndefined();
  });

  it("puts them in access tokens for the app's own API only when its registration lists them under accessToken", async () => {
    const scopes = [`api://${app.appId}/access_as_user`];
    expect(decodeJwt((await signIn("n01@contoso.com", scopes)).accessToken).auth_time).toBeUndefined();
    await patchApplication({ optionalClaims: { accessToken: ["auth_time"] } });
    expect(decodeJwt((await signIn("n01@contoso.com", scopes)).accessToken).auth_time).toEqual(expect.any(Number));
  });
});
