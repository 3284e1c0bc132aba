import "server-only";
import { Client } from "@microsoft/microsoft-graph-client";
import { env } from "@/lib/config/env";

/**
 * A Microsoft Graph client for one access token. GRAPH_BASE_URL is Graph in production and the
 * emulator locally; `customHosts` must name its host (without port), or the client silently sends
 * requests to a non-Microsoft host without the Authorization header.
 */
export function graphClientFor(accessToken: string) {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${env.GRAPH_BASE_URL}/`,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(env.GRAPH_BASE_URL).hostname]),
  });
}
