// POST /auth/sign-out: ends the session here, then at Entra ID (end-session endpoint).
import { NextResponse, type NextRequest } from "next/server";
import { endSessionUrl } from "@/lib/auth/msal";
import { sessionCookieName, endSession } from "@/lib/auth/session";
import { env } from "@/lib/config/env";

export async function POST(request: NextRequest) {
  // Only our own pages may sign someone out (SameSite=Lax already withholds the cookie cross-site).
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(env.APP_URL).origin) {
    return NextResponse.json({ error: "Sign-out must come from the AKS JIT dashboard." }, { status: 403 });
  }
  const cookie = request.cookies.get(sessionCookieName())?.value;
  if (cookie) await endSession(cookie, new Date());
  const response = NextResponse.redirect(endSessionUrl(`${env.APP_URL}/signed-out`), 303);
  response.cookies.set(sessionCookieName(), "", { path: "/", maxAge: 0 });
  return response;
}
