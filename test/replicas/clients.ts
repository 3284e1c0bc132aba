/* What the test does from outside: people's access tokens for the JSON API (signed in through the
 * emulator as a CLI would), the API calls themselves, and the emulator's test endpoints. */
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import type { ServedCall } from "../../emulator/calls";
import type { EmulatorState } from "../../emulator/state";
import type { Person } from "./tenant";

export type { ServedCall };

const REDIRECT = "http://localhost:1234/auth/callback";

/** Runs `fn` over `items`, `width` at a time; results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

/** Delegated tokens for the app's API, one sign-in each (auth code + PKCE), by object id. */
export async function signIn(env: Record<string, string>, people: readonly Person[]): Promise<Map<string, string>> {
  const authority = `${env.ENTRA_AUTHORITY_HOST}/${env.ENTRA_TENANT_ID}`;
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: env.ENTRA_CLIENT_ID!,
      clientSecret: env.ENTRA_CLIENT_SECRET,
      authority,
      knownAuthorities: [new URL(env.ENTRA_AUTHORITY_HOST!).host],
    },
  });
  const scopes = [`api://${env.ENTRA_CLIENT_ID}/access_as_user`];
  const tokens = await inParallel(people, 8, async (person) => {
    const pkce = await new CryptoProvider().generatePkceCodes();
    const authorizeUrl = new URL(
      await cca.getAuthCodeUrl({
        scopes,
        redirectUri: REDIRECT,
        codeChallenge: pkce.challenge,
        codeChallengeMethod: "S256",
      }),
    );
    // The account picker's form, submitted as if the person had clicked their account.
    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set("user_id", person.id);
    const picked = await fetch(`${authorizeUrl.origin}${authorizeUrl.pathname}`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const code = new URL(picked.headers.get("location") ?? "about:blank").searchParams.get("code");
    if (!code) throw new Error(`no authorization code for ${person.userPrincipalName} (${picked.status})`);
    const result = await cca.acquireTokenByCode({ code, scopes, redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    return result.accessToken;
  });
  return new Map(people.map((person, i) => [person.id, tokens[i]!]));
}

export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
  body: any;
}

/** One JSON API call; a connection failure is status 0, so that callers can tell it from an answer. */
export async function api(baseUrl: string, token: string, path: string, body?: unknown): Promise<ApiAnswer> {
  try {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: an HTML error page, kept as text */
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

export class Emulator {
  constructor(readonly url: string) {}

  private async call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${this.url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  async calls(): Promise<ServedCall[]> {
    return ((await this.call("GET", "calls")) as { calls: ServedCall[] }).calls;
  }
  resetCalls() {
    return this.call("DELETE", "calls");
  }
  addFault(fault: Record<string, unknown>) {
    return this.call("POST", "faults", fault);
  }
  async faults(): Promise<unknown[]> {
    return ((await this.call("GET", "faults")) as { faults: unknown[] }).faults;
  }
  clearFaults() {
    return this.call("DELETE", "faults");
  }
  state(): Promise<EmulatorState> {
    return this.call("GET", "state") as Promise<EmulatorState>;
  }
}

export type { EmulatorState };
