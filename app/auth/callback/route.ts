// GET /auth/callback: Entra ID's redirect after sign-in (the app registration's redirect URI).
import { NextResponse, type NextRequest } from "next/server";
import { randomUUID } from "node:crypto";
import { clientIp } from "@/lib/http/client-ip";
import { sessionCookieName, sessionCookieOptions } from "@/lib/auth/session";
import { SIGN_IN_COOKIE, SignInError, completeSignIn } from "@/lib/auth/sign-in";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";

export async function GET(request: NextRequest) {
  let response: NextResponse;
  try {
    const session = await completeSignIn({
      query: request.nextUrl.searchParams,
      signInCookie: request.cookies.get(SIGN_IN_COOKIE)?.value,
      userAgent: request.headers.get("user-agent") ?? undefined,
      ip: clientIp(request.headers),
      now: new Date(),
    });
    response = NextResponse.redirect(new URL(session.returnTo, env.APP_URL), 303);
    response.cookies.set(sessionCookieName(), session.cookie, sessionCookieOptions(session.expiresAt));
  } catch (error) {
    const reason = error instanceof SignInError ? error.reason : "unavailable";
    const ref = randomUUID().slice(0, 8);
    log.warn({ ref, reason, err: error instanceof Error ? error.message : String(error) }, "sign-in failed");
    response = NextResponse.redirect(new URL(`/auth/error?reason=${reason}&ref=${ref}`, env.APP_URL), 303);
  }
  // One attempt per sign-in cookie: a replayed callback finds nothing to complete.
  response.cookies.set(SIGN_IN_COOKIE, "", { path: "/auth", maxAge: 0 });
  response.headers.set("Cache-Control", "no-store");
  return response;
}
