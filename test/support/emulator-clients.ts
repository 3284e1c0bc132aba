/* Clients of an emulator a test started itself (not the shared stack's): the real MSAL and Graph SDKs. */
import { type AuthenticationResult, ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import type { RunningEmulator } from "../../emulator/server";
import type { Application, Tenant } from "../../emulator/tenant";
import { pickAccount } from "./emulator-browser";

/** MSAL's confidential client for `app`, with its secret, against the emulator's authority. */
export function emulatorConfidentialClient(emulator: RunningEmulator, tenant: Tenant, app: Application) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: app.appId,
      clientSecret: app.clientSecret,
      authority: `${emulator.url}/${tenant.id}`,
      knownAuthorities: [new URL(emulator.url).host],
    },
  });
}

/** The Graph client on the emulator with a ready token; `customHosts` or the SDK sends no token (contract D.1). */
export function emulatorGraphClient(emulator: RunningEmulator, accessToken: string) {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${emulator.url}/`,
    customHosts: new Set(["localhost"]),
  });
}

/**
 * A real interactive sign-in through the emulator's account picker (auth code + PKCE) for `cca`,
 * with `claims` (an authentication-context request) when given: the tokens MSAL redeems.
 */
export async function signInThroughPicker(
  cca: ConfidentialClientApplication,
  userPrincipalName: string,
  scopes: string[],
  options: { redirectUri: string; claims?: string },
): Promise<AuthenticationResult> {
  const { redirectUri, claims } = options;
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await cca.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    ...(claims ? { claims } : {}),
  });
  const code = (await pickAccount(url, { userPrincipalName })).searchParams.get("code")!;
  return cca.acquireTokenByCode({
    code,
    scopes,
    redirectUri,
    codeVerifier: pkce.verifier,
    ...(claims ? { claims } : {}),
  });
}
