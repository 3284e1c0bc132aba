import "server-only";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ClientSecretCredential } from "@azure/identity";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import { env } from "@/lib/config/env";

/**
 * The app's own identity towards Graph and ARM (client secret). `disableInstanceDiscovery` keeps
 * MSAL from calling login.microsoftonline.com for discovery: required offline and for the
 * emulator, harmless in Azure.
 */
const globalForCloud = globalThis as unknown as {
  credential?: ClientSecretCredential;
  graph?: Client;
  arm?: Map<string, AuthorizationManagementClient>;
};

export function appCredential() {
  globalForCloud.credential ??= new ClientSecretCredential(
    env.ENTRA_TENANT_ID,
    env.ENTRA_CLIENT_ID,
    env.ENTRA_CLIENT_SECRET,
    {
      authorityHost: env.ENTRA_AUTHORITY_HOST,
      disableInstanceDiscovery: true,
    },
  );
  return globalForCloud.credential;
}

/** Graph as the app (application permissions). `customHosts` must name a non-Microsoft host, or no token is sent. */
export function appGraphClient() {
  globalForCloud.graph ??= Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(appCredential(), { scopes: [env.GRAPH_APP_SCOPE] }),
    baseUrl: `${env.GRAPH_BASE_URL}/`,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(env.GRAPH_BASE_URL).hostname]),
  });
  return globalForCloud.graph;
}

/** ARM's authorization API for one subscription, as the app. */
export function armAuthorizationClient(subscriptionId: string) {
  globalForCloud.arm ??= new Map();
  let client = globalForCloud.arm.get(subscriptionId);
  if (!client) {
    client = new AuthorizationManagementClient(appCredential(), subscriptionId, {
      endpoint: env.ARM_BASE_URL,
      credentialScopes: [env.ARM_APP_SCOPE],
    });
    globalForCloud.arm.set(subscriptionId, client);
  }
  return client;
}
