import "server-only";
import { sessionCookieName, resolveSession } from "@/lib/auth/session";
import type { SessionUser } from "@/lib/context";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { assertSameOrigin } from "@/lib/auth/same-origin";
import { userFromAccessToken } from "./access-token";

/**
 * Who calls the JSON API, from the standard Request alone (no `next/headers`), so that route
 * handlers can be called directly from tests. Two ways in:
 *
 * - `Authorization: Bearer <access token>` for scripts and the CLI: an Entra ID access token for
 *   this app's API (access-token.ts). Browsers never attach it on their own, so no CSRF check.
 * - the dashboard's session cookie, for calls from the signed-in browser. Browsers do attach it to
 *   requests other sites trigger, so state-changing calls must prove they come from our origin.
 *
 * When both are present the bearer token wins: it was added on purpose.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const HOW_TO_AUTHENTICATE = `Send "Authorization: Bearer <token>" with an Entra ID access token for api://${env.ENTRA_CLIENT_ID}/access_as_user, or call from a signed-in browser session.`;

export async function authenticate(request: Request, now: Date): Promise<SessionUser> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const token = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) {
      throw new AppError("UNAUTHENTICATED", {
        message: "Authorization header is not a bearer token",
        userMessage: `The Authorization header must be "Bearer <token>". ${HOW_TO_AUTHENTICATE}`,
      });
    }
    return userFromAccessToken(token, now);
  }

  const cookie = readCookie(request.headers.get("cookie"), sessionCookieName());
  if (!cookie) {
    throw new AppError("UNAUTHENTICATED", {
      message: "no bearer token and no session cookie",
      userMessage: `You are not signed in. ${HOW_TO_AUTHENTICATE}`,
    });
  }
  // Checked before the session is even read, so a forged request changes nothing, not even last-seen.
  if (!SAFE_METHODS.has(request.method.toUpperCase())) checkSameOrigin(request);
  const user = await resolveSession(cookie, now);
  if (!user) {
    throw new AppError("UNAUTHENTICATED", {
      message: "session cookie invalid or session ended",
      userMessage: `Your session has ended. Sign in again. ${HOW_TO_AUTHENTICATE}`,
    });
  }
  return user;
}

/** CSRF protection for cookie-authenticated changes, the same as for server actions (lib/auth/same-origin.ts). */
const checkSameOrigin = (request: Request) => assertSameOrigin(request, "Scripts should use a bearer token instead.");

/** One cookie's value from a Cookie header (the standard Request has no cookie jar). */
function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    try {
      return decodeURIComponent(raw) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
