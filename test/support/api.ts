import { ConfidentialClientApplication } from "@azure/msal-node";
import { env } from "@/lib/config/env";
import { sessionCookieName } from "@/lib/auth/session";
import { signInThroughPicker } from "./emulator-clients";
import { checkAgainstDocument } from "./openapi-contract";
import { signInThroughEmulator } from "./sign-in";

/** Calling the JSON API's route handlers directly, as Next would, with real credentials. */

export const API_SCOPE = `api://${env.ENTRA_CLIENT_ID}/access_as_user`;
const REDIRECT = "http://localhost:1234/auth/callback";

function confidentialClient() {
  return new ConfidentialClientApplication({
    auth: {
      clientId: env.ENTRA_CLIENT_ID,
      clientSecret: env.ENTRA_CLIENT_SECRET,
      authority: `${env.ENTRA_AUTHORITY_HOST}/${env.ENTRA_TENANT_ID}`,
      knownAuthorities: [new URL(env.ENTRA_AUTHORITY_HOST).host],
    },
  });
}

/** A delegated access token for `scopes`, from the emulator's sign-in (auth code + PKCE), as a CLI would get one. */
export async function userAccessToken(userPrincipalName: string, scopes = [API_SCOPE]) {
  const result = await signInThroughPicker(confidentialClient(), userPrincipalName, scopes, { redirectUri: REDIRECT });
  return result.accessToken;
}

/** An app-only token (client credentials): no person behind it. */
export async function appOnlyToken(scope = `api://${env.ENTRA_CLIENT_ID}/.default`) {
  const result = await confidentialClient().acquireTokenByClientCredential({ scopes: [scope] });
  return result!.accessToken;
}

export type Credentials = { bearer: string } | { cookie: string } | null;

export const bearer = async (userPrincipalName: string): Promise<Credentials> => ({
  bearer: await userAccessToken(userPrincipalName),
});
export const session = async (userPrincipalName: string): Promise<Credentials> => ({
  cookie: (await signInThroughEmulator(userPrincipalName)).cookie,
});

type Handler<P> = (request: Request, segment: { params: Promise<P> }) => Promise<Response>;

export interface Call {
  method?: "GET" | "POST";
  /** a JSON body, or a string sent as it is */
  body?: unknown;
  /** for cookie credentials on POST: the Origin header; defaults to the app's own */
  origin?: string | null;
  headers?: Record<string, string>;
}

/**
 * Calls a route handler with a standard Request; returns the status, headers and parsed JSON body,
 * once the answer is checked against the OpenAPI document (openapi-contract.ts).
 */
export async function callApi<P extends Record<string, string>>(
  handler: Handler<P>,
  path: string,
  credentials: Credentials,
  options: Call & { params?: P } = {},
) {
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  const headers = new Headers(options.headers);
  if (credentials && "bearer" in credentials) headers.set("authorization", `Bearer ${credentials.bearer}`);
  if (credentials && "cookie" in credentials) {
    headers.set("cookie", `other=1; ${sessionCookieName()}=${credentials.cookie}`);
    const origin = options.origin === undefined ? new URL(env.APP_URL).origin : options.origin;
    if (method === "POST" && origin !== null) headers.set("origin", origin);
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(new URL(path, env.APP_URL), { method, headers, body });
  const response = await handler(request, { params: Promise.resolve((options.params ?? {}) as P) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  const { status, headers: answered } = response;
  const contentType = answered.get("content-type");
  checkAgainstDocument({ method, path: new URL(request.url).pathname, status, contentType, body: json });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
  return { status, headers: answered, json: json as any };
}
