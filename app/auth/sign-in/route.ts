// GET /auth/sign-in?returnTo=/path: starts MSAL sign-in and sends the browser to Entra ID.
import { NextResponse, type NextRequest } from "next/server";
import { SIGN_IN_COOKIE, beginSignIn, signInCookieOptions } from "@/lib/auth/sign-in";

export async function GET(request: NextRequest) {
  const now = new Date();
  const { authorizeUrl, cookie } = await beginSignIn({ returnTo: request.nextUrl.searchParams.get("returnTo"), now });
  const response = NextResponse.redirect(authorizeUrl, 302);
  response.cookies.set(SIGN_IN_COOKIE, cookie, signInCookieOptions(now));
  response.headers.set("Cache-Control", "no-store");
  return response;
}
