import "server-only";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { ClientSecretCredential, WorkloadIdentityCredential, type TokenCredential } from "@azure/identity";
import { Client, MiddlewareFactory } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import { env } from "@/lib/config/env";
import { armCallRecorder, graphCallRecorder } from "./call-recorder";

/**
 * The app's own identity towards Graph and ARM: Entra Workload ID on AKS (the projected service
 * account token, which the SDK re-reads as it rotates), or a client secret elsewhere; exactly one
 * is configured (lib/config/env-schema.js). The specific credential, not DefaultAzureCredential,
 * whose chain would hide which source it used. `disableInstanceDiscovery` keeps MSAL from calling
 * login.microsoftonline.com for discovery: required offline and for the emulator, harmless in Azure.
 */
const globalForCloud = globalThis as unknown as {
  credential?: TokenCredential;
  graph?: Client;
  arm?: Map<string, AuthorizationManagementClient>;
  logs?: LogsQueryClient;
};

export function appCredential() {
  const options = { authorityHost: env.ENTRA_AUTHORITY_HOST, disableInstanceDiscovery: true };
  globalForCloud.credential ??= env.AZURE_FEDERATED_TOKEN_FILE
    ? new WorkloadIdentityCredential({
        ...options,
        tenantId: env.ENTRA_TENANT_ID,
        clientId: env.ENTRA_CLIENT_ID,
        tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE,
      })
    : new ClientSecretCredential(env.ENTRA_TENANT_ID, env.ENTRA_CLIENT_ID, env.ENTRA_CLIENT_SECRET!, options);
  return globalForCloud.credential;
}

/** Graph as the app (application permissions). `customHosts` must name a non-Microsoft host, or no token is sent. */
export function appGraphClient() {
  globalForCloud.graph ??= Client.initWithMiddleware({
    middleware: recordedGraphChain(),
    baseUrl: `${env.GRAPH_BASE_URL}/`,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(env.GRAPH_BASE_URL).hostname]),
  });
  return globalForCloud.graph;
}

/**
 * The default chain (auth, retry, redirect, telemetry, fetch) with the call recorder just before the
 * fetch, after the RetryHandler: each retry is recorded as an attempt of its own.
 */
function recordedGraphChain() {
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(
    new TokenCredentialAuthenticationProvider(appCredential(), { scopes: [env.GRAPH_APP_SCOPE] }),
  );
  chain.splice(-1, 0, graphCallRecorder());
  return chain;
}

/** ARM's authorization API for one subscription, as the app; "perRetry" records each attempt. */
export function armAuthorizationClient(subscriptionId: string) {
  globalForCloud.arm ??= new Map();
  let client = globalForCloud.arm.get(subscriptionId);
  if (!client) {
    client = new AuthorizationManagementClient(appCredential(), subscriptionId, {
      endpoint: env.ARM_BASE_URL,
      credentialScopes: [env.ARM_APP_SCOPE],
      additionalPolicies: [{ policy: armCallRecorder(), position: "perRetry" }],
    });
    globalForCloud.arm.set(subscriptionId, client);
  }
  return client;
}

/**
 * The Log Analytics query API as the app (Log Analytics Reader on the workspace). With `endpoint`
 * given, the SDK posts to {endpoint}/workspaces/{customerId}/query as is, so the /v1 of the public
 * API format is part of it (https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format).
 */
export function logsQueryClient() {
  globalForCloud.logs ??= new LogsQueryClient(appCredential(), {
    endpoint: `${env.LOG_ANALYTICS_BASE_URL}/v1`,
    credentials: { scopes: [env.LOG_ANALYTICS_APP_SCOPE] },
  });
  return globalForCloud.logs;
}
