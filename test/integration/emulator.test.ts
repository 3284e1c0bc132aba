import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { demoUser, pickAccount } from "../support/emulator-browser";

/**
 * The emulator's contract, through the same SDKs the app uses: what MSAL and the Graph client
 * need of Entra ID and Graph, and the error shapes they turn into typed errors.
 */
const EMU = env.ENTRA_AUTHORITY_HOST;
const TENANT = env.ENTRA_TENANT_ID;
const REDIRECT = "http://localhost:1234/auth/callback";

function confidentialClient(clientSecret = env.ENTRA_CLIENT_SECRET) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: env.ENTRA_CLIENT_ID,
      clientSecret,
      authority: `${EMU}/${TENANT}`,
      knownAuthorities: [new URL(EMU).host],
    },
  });
}

function graph(accessToken?: string) {
  return Client.init({
    authProvider: (done) => done(null, accessToken ?? ""),
    baseUrl: `${EMU}/`,
    customHosts: new Set(["localhost"]),
  });
}

async function appToken() {
  const result = await confidentialClient().acquireTokenByClientCredential({
    scopes: ["https://graph.microsoft.com/.default"],
  });
  return result!.accessToken;
}

async function userTokens(userPrincipalName: string) {
  const cca = confidentialClient();
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await cca.getAuthCodeUrl({
    scopes: ["User.Read"],
    redirectUri: REDIRECT,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    nonce: "n-123",
  });
  const callback = await pickAccount(url, { userPrincipalName });
  const code = callback.searchParams.get("code")!;
  return {
    cca,
    code,
    pkce,
    result: () =>
      cca.acquireTokenByCode({
        code,
        scopes: ["User.Read"],
        redirectUri: REDIRECT,
        codeVerifier: pkce.verifier,
        nonce: "n-123",
      }),
  };
}

describe("Entra ID emulator: OpenID Connect", () => {
  it("serves discovery on both the v2.0 and the OIDC-mode path, with an issuer on its own origin", async () => {
    for (const path of [
      `/${TENANT}/v2.0/.well-known/openid-configuration`,
      `/${TENANT}/.well-known/openid-configuration`,
    ]) {
      const doc = await (await fetch(`${EMU}${path}`)).json();
      expect(doc).toMatchObject({
        issuer: `${EMU}/${TENANT}/v2.0`,
        authorization_endpoint: `${EMU}/${TENANT}/oauth2/v2.0/authorize`,
        token_endpoint: `${EMU}/${TENANT}/oauth2/v2.0/token`,
        jwks_uri: `${EMU}/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `${EMU}/${TENANT}/oauth2/v2.0/logout`,
      });
    }
    const unknown = await fetch(`${EMU}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error_codes).toEqual([90002]);
  });

  it("issues RS256 tokens with the claims the app relies on, verifiable with the JWKS", async () => {
    const { result } = await userTokens("n02@contoso.com");
    const tokens = await result();
    const { payload } = await jwtVerify(
      tokens.idToken,
      createRemoteJWKSet(new URL(`${EMU}/${TENANT}/discovery/v2.0/keys`)),
      {
        issuer: `${EMU}/${TENANT}/v2.0`,
        audience: env.ENTRA_CLIENT_ID,
        algorithms: ["RS256"],
      },
    );
    expect(payload).toMatchObject({
      oid: demoUser("n02@contoso.com").id,
      tid: TENANT,
      name: "Noah Schmidt",
      preferred_username: "n02@contoso.com",
      ver: "2.0",
      nonce: "n-123",
    });
    expect(payload.groups).toHaveLength(2);
    for (const claim of ["iat", "nbf", "exp"]) expect(typeof payload[claim]).toBe("number");
    expect(tokens.account?.homeAccountId).toBe(`${demoUser("n02@contoso.com").id}.${TENANT}`);
  });

  it("refuses a wrong PKCE verifier (AADSTS501481) and a wrong client secret (AADSTS7000215)", async () => {
    const { cca, code } = await userTokens("n01@contoso.com");
    const wrongVerifier = cca.acquireTokenByCode({
      code,
      scopes: ["User.Read"],
      redirectUri: REDIRECT,
      codeVerifier: "x".repeat(43),
    });
    await expect(wrongVerifier).rejects.toMatchObject({
      errorCode: "invalid_grant",
      errorMessage: expect.stringContaining("AADSTS501481"),
    });

    const badSecret = confidentialClient("wrong-secret").acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    await expect(badSecret).rejects.toMatchObject({
      errorCode: "invalid_client",
      errorMessage: expect.stringContaining("AADSTS7000215"),
    });
  });

  it("requires /.default for client credentials (AADSTS1002012)", async () => {
    const attempt = confidentialClient().acquireTokenByClientCredential({ scopes: ["User.Read"] });
    await expect(attempt).rejects.toMatchObject({ errorMessage: expect.stringContaining("AADSTS1002012") });
  });

  it("redeems refresh tokens", async () => {
    const { cca, result } = await userTokens("p01@contoso.com");
    const first = await result();
    const refreshed = await cca.acquireTokenSilent({
      account: first.account!,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(refreshed.fromCache).toBe(false);
    expect(refreshed.accessToken).not.toBe(first.accessToken);
  });

  it("shows an error page for an unregistered redirect URI instead of redirecting (AADSTS50011)", async () => {
    const url = new URL(`${EMU}/${TENANT}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: env.ENTRA_CLIENT_ID,
      redirect_uri: "https://evil.example/cb",
      response_type: "code",
      scope: "openid",
    }).toString();
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("AADSTS50011");
  });

  it("lists every demo user on the account picker by display name and UPN", async () => {
    const url = await confidentialClient().getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT });
    const html = await (await fetch(url)).text();
    for (const [name, upn] of [
      ["Nadia Okafor", "n01@contoso.com"],
      ["Noah Schmidt", "n02@contoso.com"],
      ["Priya Raman", "p01@contoso.com"],
      ["Alex Dubois", "aud01@contoso.com"],
      ["Ada Mensah", "adm01@contoso.com"],
    ]) {
      expect(html).toContain(name);
      expect(html).toContain(upn);
    }
  });

  it("answers CORS preflights for browser clients", async () => {
    const response = await fetch(`${EMU}/${TENANT}/oauth2/v2.0/token`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
  });
});

describe("Entra ID emulator: step-up (prompt=login, claims with acrs, single-page application redemption)", () => {
  const SPA_REDIRECT = "http://localhost:1234/auth/popup";

  /** Signs in at the authorize endpoint with the given extra parameters; returns the redirect back. */
  async function authorize(params: Record<string, string>, redirectUri = REDIRECT) {
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = new URL(`${EMU}/${TENANT}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: env.ENTRA_CLIENT_ID,
      redirect_uri: redirectUri,
      response_type: "code",
      scope: "openid profile",
      code_challenge: pkce.challenge,
      code_challenge_method: "S256",
      ...params,
    }).toString();
    return { url, pkce, callback: () => pickAccount(url.href, { userPrincipalName: "p01@contoso.com" }) };
  }

  async function redeem(
    code: string,
    verifier: string,
    options: { redirectUri?: string; origin?: string; secret?: boolean } = {},
  ) {
    const body = new URLSearchParams({
      client_id: env.ENTRA_CLIENT_ID,
      grant_type: "authorization_code",
      code,
      redirect_uri: options.redirectUri ?? REDIRECT,
      code_verifier: verifier,
      scope: "openid profile",
      ...(options.secret === false ? {} : { client_secret: env.ENTRA_CLIENT_SECRET }),
    });
    return fetch(`${EMU}/${TENANT}/oauth2/v2.0/token`, {
      method: "POST",
      body,
      headers: options.origin ? { origin: options.origin } : {},
    });
  }

  const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));

  it("shows the sign-in page again for prompt=login and stamps a fresh auth_time, with amr", async () => {
    const { url, pkce, callback } = await authorize({ prompt: "login" });
    expect(await (await fetch(url)).text()).toContain("Sign in again");
    const before = Math.floor(Date.now() / 1000);
    const code = (await callback()).searchParams.get("code")!;
    const tokens = await (await redeem(code, pkce.verifier)).json();
    const claims = claimsOf(tokens.id_token);
    expect(claims.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(claims.amr).toEqual(["pwd"]);
    expect(claims.acrs).toBeUndefined();
  });

  it.each([
    ["value", { access_token: { acrs: { essential: true, value: "c1" } } }],
    ["values", { access_token: { acrs: { essential: true, values: ["c1"] } } }],
    ["id_token", { id_token: { acrs: { essential: true, value: "c1" } } }],
  ])("puts the authentication contexts asked in claims (%s) in acrs, in both tokens", async (_form, claims) => {
    const { pkce, callback } = await authorize({ prompt: "login", claims: JSON.stringify(claims) });
    const code = (await callback()).searchParams.get("code")!;
    const tokens = await (await redeem(code, pkce.verifier)).json();
    for (const jwt of [tokens.id_token, tokens.access_token]) {
      expect(claimsOf(jwt)).toMatchObject({ acrs: ["c1"], amr: ["pwd", "mfa"] });
    }
  });

  it("redirects with invalid_request for a claims parameter that is not JSON", async () => {
    const { url } = await authorize({ claims: "{not json" });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location")!).searchParams.get("error_description")).toMatch(/^AADSTS90100/);
  });

  it("redeems a single-page application's code without a secret, only cross-origin (AADSTS9002327)", async () => {
    const first = await authorize({}, SPA_REDIRECT);
    const code = (await first.callback()).searchParams.get("code")!;
    const serverSide = await redeem(code, first.pkce.verifier, { redirectUri: SPA_REDIRECT, secret: false });
    expect(serverSide.status).toBe(400);
    expect((await serverSide.json()).error_codes).toEqual([9002327]);

    const second = await authorize({}, SPA_REDIRECT);
    const code2 = (await second.callback()).searchParams.get("code")!;
    const browser = await redeem(code2, second.pkce.verifier, {
      redirectUri: SPA_REDIRECT,
      secret: false,
      origin: "http://localhost:1234",
    });
    expect(browser.status).toBe(200);
    expect(claimsOf((await browser.json()).id_token).aud).toBe(env.ENTRA_CLIENT_ID);

    // A web redirect URI's code still needs the secret.
    const web = await authorize({});
    const webCode = (await web.callback()).searchParams.get("code")!;
    const noSecret = await redeem(webCode, web.pkce.verifier, { secret: false, origin: "http://localhost:1234" });
    expect(noSecret.status).toBe(401);
  });
});

describe("Entra ID emulator: Microsoft Graph", () => {
  it("answers /me for a delegated token and refuses it for an app token", async () => {
    const tokens = await (await userTokens("aud01@contoso.com")).result();
    expect(await graph(tokens.accessToken).api("/me").get()).toMatchObject({
      displayName: "Alex Dubois",
      userPrincipalName: "aud01@contoso.com",
    });
    await expect(
      graph(await appToken())
        .api("/me")
        .get(),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it("refuses a request without a valid token with Graph's error shape", async () => {
    const error = await graph("not-a-token")
      .api("/users/n01@contoso.com")
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
  });

  it("gets users by id or UPN, and 404s unknown ones with Request_ResourceNotFound", async () => {
    const client = graph(await appToken());
    const byUpn = await client.api("/users/p01@contoso.com").get();
    expect(await client.api(`/users/${byUpn.id}`).get()).toMatchObject({ userPrincipalName: "p01@contoso.com" });
    await expect(client.api("/users/nobody@contoso.com").get()).rejects.toMatchObject({
      statusCode: 404,
      code: "Request_ResourceNotFound",
    });
  });

  it("pages transitiveMemberOf with absolute nextLinks on the emulator host", async () => {
    const client = graph(await appToken());
    const userId = demoUser("n02@contoso.com").id;
    const first = await client
      .api(`/users/${userId}/transitiveMemberOf/microsoft.graph.group`)
      .select("id,displayName")
      .top(1)
      .get();
    expect(first.value).toHaveLength(1);
    expect(first["@odata.nextLink"]).toMatch(new RegExp(`^${EMU}/v1.0/users/`));
    const second = await client.api(first["@odata.nextLink"]).get();
    expect(second.value).toHaveLength(1);
    expect(second["@odata.nextLink"]).toBeUndefined();
    expect([...first.value, ...second.value].map((g: { displayName: string }) => g.displayName).sort()).toEqual([
      "approver",
      "default",
    ]);
  });

  it("shows the tenant at /_emulator/state", async () => {
    const state = await (await fetch(`${EMU}/_emulator/state`)).json();
    expect(state.users).toHaveLength(5);
    expect(state.users[0]).toEqual({
      id: expect.any(String),
      userPrincipalName: "n01@contoso.com",
      displayName: "Nadia Okafor",
    });
    const approver = state.groups.find((g: { displayName: string }) => g.displayName === "approver");
    expect(approver.members).toEqual([demoUser("n02@contoso.com").id, demoUser("p01@contoso.com").id]);
    expect(state.groups.map((g: { displayName: string }) => g.displayName)).toEqual([
      "default",
      "admin",
      "node-access",
      "approver",
      "auditors",
      "jit-admins",
    ]);
  });
});

describe("Entra ID emulator: fault injection", () => {
  const addFault = (fault: Record<string, unknown>) =>
    fetch(`${EMU}/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fault),
    });

  it("throttles with Retry-After, which the Graph client honours before retrying", async () => {
    const client = graph(await appToken());
    expect((await addFault({ path: "^/v1.0/users/p01", count: 1, status: 429, retryAfter: 1 })).status).toBe(201);
    const started = Date.now();
    expect(await client.api("/users/p01@contoso.com").get()).toMatchObject({ displayName: "Priya Raman" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await (await fetch(`${EMU}/_emulator/faults`)).json()).faults).toEqual([]);
  });

  it("fails with 500 in Graph's error shape, and drops connections, the given number of times", async () => {
    const client = graph(await appToken());
    await addFault({ path: "^/v1.0/users/aud01", count: 1, status: 500 });
    await expect(client.api("/users/aud01@contoso.com").get()).rejects.toMatchObject({
      statusCode: 500,
      code: "InternalServerError",
    });
    await addFault({ path: "^/v1.0/users/aud01", count: 1, drop: true });
    await expect(fetch(`${EMU}/v1.0/users/aud01@contoso.com`)).rejects.toThrow();
    expect(await client.api("/users/aud01@contoso.com").get()).toMatchObject({ displayName: "Alex Dubois" });
  });
});
