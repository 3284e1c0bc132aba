/**
 * Entra Workload ID with no client secret: the app's Graph/ARM credential (WorkloadIdentityCredential)
 * and its MSAL sign-in (a client assertion callback) trade the projected service account token for
 * Entra tokens, through the real SDKs and the emulator, which plays the cluster's OIDC issuer and
 * checks the token against the app registration's federated identity credentials. Guards against a
 * secretless deployment that cannot sign anyone in, a rotated token file that is never read again,
 * and an emulator that accepts what Entra refuses.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { WorkloadIdentityCredential } from "@azure/identity";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

// Before any app module reads its configuration: Workload ID's variables, as AKS's webhook injects
// them, and no secret anywhere in this process's environment.
const { tokenFile, secret } = await vi.hoisted(async () => {
  const { mkdtempSync: mkdtemp, writeFileSync: write } = await import("node:fs");
  const { tmpdir: tmp } = await import("node:os");
  const { join } = await import("node:path");
  const emulator = process.env.ENTRA_AUTHORITY_HOST!;
  const answer = await fetch(`${emulator}/_emulator/k8s/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub: "system:serviceaccount:aks-jit:aks-jit" }),
  });
  const file = join(mkdtemp(join(tmp(), "aks-jit-wi-")), "azure-identity-token");
  write(file, ((await answer.json()) as { token: string }).token);
  const removed = process.env.ENTRA_CLIENT_SECRET;
  delete process.env.ENTRA_CLIENT_SECRET;
  Object.assign(process.env, {
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_CLIENT_ID: process.env.ENTRA_CLIENT_ID,
    AZURE_TENANT_ID: process.env.ENTRA_TENANT_ID,
    AZURE_AUTHORITY_HOST: emulator,
  });
  return { tokenFile: file, secret: removed! };
});

const { federatedAssertion } = await import("@/lib/auth/federated-assertion");
const { resolveSession } = await import("@/lib/auth/session");
const { msalClient, SIGN_IN_SCOPES } = await import("@/lib/auth/msal");
const { grantTargets } = await import("@/lib/cloud/access-provider");
const { appCredential, appGraphClient } = await import("@/lib/cloud/credentials");
const { armRoleAssignmentProvider } = await import("@/lib/cloud/providers/arm-role-assignment");
const { env } = await import("@/lib/config/env");
const { db } = await import("@/lib/db/client");
const { parseCatalog } = await import("@/lib/config/catalog-schema");
const { demoUser } = await import("../support/emulator-browser");
const { signInThroughEmulator } = await import("../support/sign-in");
const { readFileSync } = await import("node:fs");

const EMULATOR = env.ENTRA_AUTHORITY_HOST;
const SERVICE_ACCOUNT = "system:serviceaccount:aks-jit:aks-jit";
const GRAPH = "https://graph.microsoft.com/.default";
const ARM = "https://management.azure.com/.default";
const dir = mkdtempSync(path.join(tmpdir(), "aks-jit-wi-cases-"));
const demoFics = seededCredentials();

afterEach(async () => {
  await patchApplication({ federatedIdentityCredentials: demoFics });
  await setClock(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.dirname(tokenFile), { recursive: true, force: true });
});

async function mint(claims: { sub?: string; aud?: string; ttlSeconds?: number; iat?: number } = {}) {
  const answer = await fetch(`${EMULATOR}/_emulator/k8s/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub: SERVICE_ACCOUNT, ...claims }),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { token: string }).token;
}

function tokenFileWith(token: string) {
  const file = path.join(dir, randomUUID());
  writeFileSync(file, token);
  return file;
}

async function patchApplication(patch: Record<string, unknown>) {
  const answer = await fetch(`${EMULATOR}/_emulator/applications/${env.ENTRA_CLIENT_ID}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(patch),
  });
  expect(answer.status).toBe(200);
}

async function setClock(offsetSeconds: number) {
  const answer = await fetch(`${EMULATOR}/_emulator/clock`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ offsetSeconds }),
  });
  expect(answer.status).toBe(200);
}

/** The demo app registration's federated identity credentials, as seeded. */
function seededCredentials(): Array<Record<string, unknown>> {
  const seed = JSON.parse(readFileSync("emulator/tenant.json", "utf8"));
  return seed.applications.find((app: { appId: string }) => app.appId === env.ENTRA_CLIENT_ID)
    .federatedIdentityCredentials;
}

function credentialFor(file: string) {
  return new WorkloadIdentityCredential({
    tenantId: env.ENTRA_TENANT_ID,
    clientId: env.ENTRA_CLIENT_ID,
    tokenFilePath: file,
    authorityHost: EMULATOR,
    disableInstanceDiscovery: true,
  });
}

/** The AADSTS code an SDK call was refused with. */
async function refusalOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, "the call was refused").toBeDefined();
  return /AADSTS(\d+)/.exec(String((error as Error).message))?.[0];
}

describe("Workload ID, no client secret", () => {
  it("runs with no secret in its environment or configuration", () => {
    expect(secret).toBeTruthy();
    expect(process.env.ENTRA_CLIENT_SECRET).toBeUndefined();
    expect(env.ENTRA_CLIENT_SECRET).toBeUndefined();
    expect(Object.values(process.env)).not.toContain(secret);
    expect(appCredential()).toBeInstanceOf(WorkloadIdentityCredential);
  });

  it("the app's credential gets Graph and ARM tokens, and an Azure role assignment is written with it", async () => {
    const [graph, arm] = [await appCredential().getToken(GRAPH), await appCredential().getToken(ARM)];
    const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claimsOf(graph!.token)).toMatchObject({ aud: "https://graph.microsoft.com", appid: env.ENTRA_CLIENT_ID });
    expect(claimsOf(arm!.token)).toMatchObject({ aud: "https://management.azure.com", appid: env.ENTRA_CLIENT_ID });

    // The demo's admin role on its production cluster (where the app holds its RBAC role), for the
    // auditor, who has no access there; removed again at once.
    const catalog = parseCatalog(readFileSync("jit.catalog.yaml", "utf8"), "jit.catalog.yaml");
    const copy = catalog.clusters.find((c) => c.name === "aks-prod-weu")!;
    const role = copy.roles.find((r) => r.name === "admin")!;
    const [target] = grantTargets(copy, role, demoUser("aud01@contoso.com").id).filter(
      (t) => t.grant.kind === "armRoleAssignment",
    );
    const requestId = randomUUID();
    const now = new Date();
    const window = { startAt: now, endAt: new Date(now.getTime() + 3_600_000), justification: "WI test", requestId };
    await armRoleAssignmentProvider.apply(target!, window);
    expect(await armRoleAssignmentProvider.read(target!)).toMatchObject({ isActive: true });
    await armRoleAssignmentProvider.remove(target!, { requestId, justification: "WI test done" });
    expect(await armRoleAssignmentProvider.read(target!)).toMatchObject({ isActive: false });
  });

  it("signs a person in through MSAL with the federated token as its client assertion, and refreshes with it", async () => {
    const signedIn = await signInThroughEmulator("n02@contoso.com");
    const user = await resolveSession(signedIn.cookie, new Date());
    expect(user).toMatchObject({ userPrincipalName: "n02@contoso.com", roles: ["requester", "approver"] });

    // The refresh token grant authenticates the client the same way.
    const cache = msalClient().getTokenCache();
    const account = (await cache.getAllAccounts()).find((a) => a.username === "n02@contoso.com");
    expect(account).toBeDefined();
    const refreshed = await msalClient().acquireTokenSilent({
      account: account!,
      scopes: SIGN_IN_SCOPES,
      forceRefresh: true,
    });
    expect(refreshed.accessToken).toBeTruthy();
  });

  it("MSAL's callback reads the rotated token file as soon as the assertion in hand has expired", async () => {
    const file = tokenFileWith(await mint({ ttlSeconds: 120 }));
    let now = Date.now();
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: env.ENTRA_CLIENT_ID,
        clientAssertion: federatedAssertion(file, () => now),
        authority: `${EMULATOR}/${env.ENTRA_TENANT_ID}`,
        knownAuthorities: [new URL(EMULATOR).host],
      },
    });
    const acquire = () => msal.acquireTokenByClientCredential({ scopes: [GRAPH], skipCache: true });
    expect((await acquire())?.accessToken).toBeTruthy();

    // Three minutes later for Entra: the first token has expired, and kubelet has written a new one.
    await setClock(3 * 60);
    writeFileSync(file, await mint({ ttlSeconds: 120 }));
    // Read a moment ago, the first token is still in hand: Entra refuses it (it really expired).
    expect(await refusalOf(acquire())).toBe("AADSTS700024");
    // Three minutes later for the app too: well within the 5-minute cache, but the token in hand has
    // expired, so the callback reads the file again.
    now += 3 * 60_000;
    expect((await acquire())?.accessToken).toBeTruthy();
  });

  it("re-reads the token file after 5 minutes even while the token in hand is valid", async () => {
    const file = tokenFileWith(await mint());
    let now = Date.now();
    const read = federatedAssertion(file, () => now);
    const first = await read();
    const second = await mint({ ttlSeconds: 7200 });
    writeFileSync(file, second);
    now += 4 * 60_000;
    expect(await read()).toBe(first);
    now += 60_000;
    expect(await read()).toBe(second);
  });
});

type Fic = Record<string, unknown>;

describe("Entra refuses a federated token that the app registration does not trust", () => {
  it.each<[string, Parameters<typeof mint>[0], ((fic: Fic) => Fic) | undefined, string]>([
    ["another service account (subject)", { sub: "system:serviceaccount:aks-jit:default" }, undefined, "AADSTS700213"],
    [
      "a subject that differs only in case: matching is case-sensitive",
      {},
      (fic: Fic) => ({ ...fic, subject: "system:serviceaccount:AKS-JIT:aks-jit" }),
      "AADSTS700213",
    ],
    [
      "another cluster (issuer)",
      {},
      (fic: Fic) => ({ ...fic, issuer: "https://westeurope.oic.prod-aks.azure.com/other/" }),
      "AADSTS700211",
    ],
    ["another audience", { aud: "api://AzureADTokenExchangeChina" }, undefined, "AADSTS700212"],
    ["an expired token", { ttlSeconds: 3600, iat: Math.floor(Date.now() / 1000) - 7200 }, undefined, "AADSTS700024"],
  ])("%s", async (_case, claims, changeFic, code) => {
    if (changeFic) await patchApplication({ federatedIdentityCredentials: demoFics.map(changeFic) });
    const credential = credentialFor(tokenFileWith(await mint(claims)));
    expect(await refusalOf(credential.getToken(GRAPH))).toBe(code);
  });

  it("an app registration without federated credentials: AADSTS70021, in Entra's error shape", async () => {
    await patchApplication({ federatedIdentityCredentials: [] });
    const answer = await fetch(`${EMULATOR}/${env.ENTRA_TENANT_ID}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: env.ENTRA_CLIENT_ID,
        scope: GRAPH,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await mint(),
      }),
    });
    expect(answer.status).toBe(401);
    const body = await answer.json();
    expect(body).toMatchObject({ error: "invalid_client", error_codes: [70021] });
    expect(body.error_description).toMatch(/^AADSTS70021: No matching federated identity record found/);
  });

  it("a sign-in whose client assertion is refused fails, and its logged reason names Entra's code", async () => {
    await patchApplication({
      federatedIdentityCredentials: demoFics.map((fic) => ({ ...fic, subject: "system:serviceaccount:aks-jit:other" })),
    });
    const before = await db.session.count({ where: { user: { userPrincipalName: "p01@contoso.com" } } });
    await expect(signInThroughEmulator("p01@contoso.com")).rejects.toMatchObject({
      reason: "unavailable",
      message: expect.stringMatching(
        /^token redemption failed \(invalid_client: [^]*AADSTS700213: No matching federated identity record/,
      ),
    });
    expect(await db.session.count({ where: { user: { userPrincipalName: "p01@contoso.com" } } })).toBe(before);
  });
});

describe("Graph: the app registration's federated identity credentials", () => {
  it("lists them with the issuer resolved to the emulator's cluster issuer", async () => {
    const page = await appGraphClient()
      .api(`/applications(appId='${env.ENTRA_CLIENT_ID}')/federatedIdentityCredentials`)
      .get();
    expect(page.value).toEqual([
      expect.objectContaining({
        name: "aks-jit-service-account",
        issuer: `${EMULATOR}/_emulator/k8s`,
        subject: SERVICE_ACCOUNT,
        audiences: ["api://AzureADTokenExchange"],
      }),
    ]);
  });
});

describe("configuration: exactly one credential", () => {
  /**
   * `npm run config:check` with the test's configuration, changed. Asynchronous on purpose: a
   * spawnSync would block this process's event loop for seconds, past the emulator's keep-alive,
   * and the next call would reuse a socket the emulator had closed (ECONNRESET).
   */
  function configCheck(change: Record<string, string | undefined>) {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete childEnv[key];
    return new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--conditions=react-server", "--import", "tsx", "scripts/config-check.ts"],
        {
          env: childEnv as NodeJS.ProcessEnv,
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (status) => resolve({ status, stderr }));
    });
  }

  it("passes with Workload ID alone", async () => {
    const run = await configCheck({});
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it.each([
    ["neither", { AZURE_FEDERATED_TOKEN_FILE: undefined }, "neither is set"],
    ["both", { ENTRA_CLIENT_SECRET: "a-secret" }, "both are set"],
  ])("refuses %s and names the variables", async (_case, change, problem) => {
    const run = await configCheck(change);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`ENTRA_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE: ${problem}`);
  });
});
