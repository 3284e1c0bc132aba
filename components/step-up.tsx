"use client";
import type { IPublicClientApplication } from "@azure/msal-browser";
import { authenticationContextClaims } from "@/lib/auth/step-up-rule";

/** What the browser needs to ask Entra ID for a fresh sign-in; from the server's configuration. */
export interface StepUpSettings {
  authority: string;
  clientId: string;
  /** our blank page that hands the answer back (app/auth/popup), a SPA redirect URI of the app registration */
  redirectUri: string;
  loginHint: string;
  maxAgeMinutes: number;
  authenticationContext?: string;
}

/**
 * msal-browser for one thing only: a popup sign-in whose ID token proves a fresh authentication.
 * Tokens stay in memory, never in browser storage; the dashboard's own session is the server's cookie.
 *
 * It is imported when a step-up is about to happen, never with the page: it is about 80 KB of
 * compressed JavaScript that most visits of the pages offering step-up never run (docs/performance.md).
 * One client per app registration, made and initialised once.
 */
const clients = new Map<string, Promise<IPublicClientApplication>>();

function clientFor(settings: StepUpSettings): Promise<IPublicClientApplication> {
  const key = `${settings.authority} ${settings.clientId} ${settings.redirectUri}`;
  let client = clients.get(key);
  if (!client) {
    client = import("@azure/msal-browser").then(async ({ BrowserCacheLocation, PublicClientApplication }) => {
      const instance = new PublicClientApplication({
        auth: {
          clientId: settings.clientId,
          authority: settings.authority,
          // Skips instance discovery at login.microsoftonline.com: required for the emulator, harmless for Entra.
          knownAuthorities: [new URL(settings.authority).host],
          redirectUri: settings.redirectUri,
        },
        cache: { cacheLocation: BrowserCacheLocation.MemoryStorage },
      });
      await instance.initialize();
      return instance;
    });
    // A chunk that failed to load (a network blip) is loaded again at the next attempt.
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/**
 * Starts loading msal-browser when a step-up becomes likely (break-glass ticked, the Approve button
 * reached), so that the popup opens without waiting for it at the click. Failures surface at the click.
 */
export function prepareFreshSignIn(settings: StepUpSettings) {
  clientFor(settings).catch(() => undefined);
}

/**
 * Opens the sign-in popup (prompt=login, and the authentication context if the role names one);
 * resolves to its ID token. The context may be given per call, for a form that offers several roles.
 */
export async function freshSignIn(settings: StepUpSettings, authenticationContext = settings.authenticationContext) {
  const instance = await clientFor(settings);
  const result = await instance.loginPopup({
    scopes: ["openid", "profile"],
    prompt: "login",
    loginHint: settings.loginHint,
    redirectUri: settings.redirectUri,
    ...(authenticationContext ? { claims: authenticationContextClaims(authenticationContext) } : {}),
  });
  return result.idToken;
}

const WORDS = {
  approve: { done: "approved", again: "approve again" },
  request: { done: "requested", again: "submit again" },
};

/** msal-browser's BrowserAuthError, recognised without importing msal-browser with the page. */
function browserAuthErrorCode(error: unknown) {
  return error instanceof Error && error.name === "BrowserAuthError" && "errorCode" in error
    ? String(error.errorCode)
    : undefined;
}

/** Words for a popup that did not give a token, for approving or for filing a break-glass request. */
export function describeStepUpFailure(error: unknown, what: keyof typeof WORDS = "approve") {
  const { done, again } = WORDS[what];
  const code = browserAuthErrorCode(error);
  if (code === "user_cancelled") return `You closed the sign-in window: nothing was ${done}. To sign in, ${again}.`;
  if (code === "popup_window_error" || code === "empty_window_error")
    return `Your browser blocked the sign-in window. Allow pop-ups for this site, then ${again}.`;
  const detail = error instanceof Error ? error.message : String(error);
  return `The fresh sign-in did not complete, so nothing was ${done} (${detail}). Try again.`;
}
