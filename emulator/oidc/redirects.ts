/* Which redirect URIs an app registration allows: for the code (authorize) and after sign-out. */
import type { Application } from "../tenant";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Entra ignores the port of loopback redirect URIs; everything else must match exactly. */
function matchesRedirect(registeredUris: string[], candidate: string) {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return registeredUris.some((registered) => {
    const r = new URL(registered);
    if (LOOPBACK_HOSTS.has(r.hostname) && LOOPBACK_HOSTS.has(url.hostname)) {
      return r.protocol === url.protocol && r.hostname === url.hostname && r.pathname === url.pathname;
    }
    return r.href === url.href;
  });
}

export function isRegisteredRedirect(app: Application, candidate: string) {
  return matchesRedirect(app.redirectUris, candidate) || matchesRedirect(app.spaRedirectUris, candidate);
}

/** A code sent to a single-page application's redirect URI is redeemed by the browser, without a secret. */
export function isSpaRedirect(app: Application, candidate: string) {
  return !matchesRedirect(app.redirectUris, candidate) && matchesRedirect(app.spaRedirectUris, candidate);
}

export function isAllowedPostLogout(app: Application, candidate: string) {
  try {
    const url = new URL(candidate);
    return app.redirectUris.some((registered) => {
      const r = new URL(registered);
      return LOOPBACK_HOSTS.has(r.hostname) ? r.hostname === url.hostname : r.origin === url.origin;
    });
  } catch {
    return false;
  }
}
