/* Clients of an emulator a test started itself (not the shared stack's): the real MSAL and Graph SDKs. */
import { ConfidentialClientApplication } from "@azure/msal-node";
import { Client } from "@microsoft/microsoft-graph-client";
import type { RunningEmulator } from "../../emulator/server";
import type { Application, Tenant } from "../../emulator/tenant";

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
