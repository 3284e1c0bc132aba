import { beginSignIn, completeSignIn } from "@/lib/auth/sign-in";
import { pickAccount } from "./emulator-browser";

/** A complete sign-in through MSAL and the emulator; returns the session cookie value. */
export async function signInThroughEmulator(userPrincipalName: string, now = new Date()) {
  const started = await beginSignIn({ returnTo: "/", now });
  const callback = await pickAccount(started.authorizeUrl, { userPrincipalName });
  return completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now });
}
