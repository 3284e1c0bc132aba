"use client";
import {
  BrowserAuthError,
  BrowserCacheLocation,
  PublicClientApplication,
  type Configuration,
} from "@azure/msal-browser";
import { MsalProvider, useMsal } from "@azure/msal-react";
import { useCallback, useState, type ReactNode } from "react";
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
 */
export function StepUpProvider({ settings, children }: { settings: StepUpSettings; children: ReactNode }) {
  const [instance] = useState(() => {
    const config: Configuration = {
      auth: {
        clientId: settings.clientId,
        authority: settings.authority,
        // Skips instance discovery at login.microsoftonline.com: required for the emulator, harmless for Entra.
        knownAuthorities: [new URL(settings.authority).host],
        redirectUri: settings.redirectUri,
      },
      cache: { cacheLocation: BrowserCacheLocation.MemoryStorage },
    };
    return new PublicClientApplication(config);
  });
  return <MsalProvider instance={instance}>{children}</MsalProvider>;
}

/**
 * Opens the sign-in popup (prompt=login, and the authentication context if the role names one);
 * resolves to its ID token. The context may be given per call, for a form that offers several roles.
 */
export function useFreshSignIn(settings: StepUpSettings) {
  const { instance } = useMsal();
  return useCallback(
    async (authenticationContext = settings.authenticationContext) => {
      const result = await instance.loginPopup({
        scopes: ["openid", "profile"],
        prompt: "login",
        loginHint: settings.loginHint,
        redirectUri: settings.redirectUri,
        ...(authenticationContext ? { claims: authenticationContextClaims(authenticationContext) } : {}),
      });
      return result.idToken;
    },
    [instance, settings],
  );
}

const WORDS = {
  approve: { done: "approved", again: "approve again" },
  request: { done: "requested", again: "submit again" },
};

/** Words for a popup that did not give a token, for approving or for filing a break-glass request. */
export function describeStepUpFailure(error: unknown, what: keyof typeof WORDS = "approve") {
  const { done, again } = WORDS[what];
  if (error instanceof BrowserAuthError) {
    if (error.errorCode === "user_cancelled")
      return `You closed the sign-in window: nothing was ${done}. To sign in, ${again}.`;
    if (error.errorCode === "popup_window_error" || error.errorCode === "empty_window_error")
      return `Your browser blocked the sign-in window. Allow pop-ups for this site, then ${again}.`;
  }
  const detail = error instanceof Error ? error.message : String(error);
  return `The fresh sign-in did not complete, so nothing was ${done} (${detail}). Try again.`;
}
