// GET /auth/sign-in?returnTo=/path: starts MSAL sign-in and sends the browser to Entra ID.
import { NextResponse, type NextRequest } from "next/server";
import { SIGN_IN_COOKIE, beginSignIn, signInCookieOptions } from "@/lib/auth/sign-in";
import { isAppError } from "@/lib/errors";
import { enforceSignInRateLimit } from "@/lib/limits/rate-limit";

export async function GET(request: NextRequest) {
  const now = new Date();
  try {
    await enforceSignInRateLimit(request.headers, now);
  } catch (error) {
    if (!isAppError(error) || error.code !== "RATE_LIMITED") throw error;
    return new NextResponse(error.userMessage, {
      status: 429,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "retry-after": String(error.retryAfterSeconds ?? 60),
        "cache-control": "no-store",
      },
    });
  }
  const { authorizeUrl, cookie } = await beginSignIn({ returnTo: request.nextUrl.searchParams.get("returnTo"), now });
  const response = NextResponse.redirect(authorizeUrl, 302);
  response.cookies.set(SIGN_IN_COOKIE, cookie, signInCookieOptions(now));
  response.headers.set("Cache-Control", "no-store");
  return response;
}
