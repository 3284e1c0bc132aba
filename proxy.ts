/**
 * Next.js Proxy (Next 16's name for middleware): runs before every page, route handler and server
 * action. It decides no access (lib/ does, where data is read and written); it sets headers and
 * refuses server action requests from another origin or over the body limit (server-action-guard.ts).
 */
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/config/env";
import { createNonce, securityHeaders } from "@/lib/http/security-headers";
import { refuseUnsafeServerAction } from "@/lib/http/server-action-guard";

/**
 * Security headers with a fresh CSP nonce (Next's documented nonce pattern): the CSP goes on the
 * request too, where Next reads the nonce back to put it on its scripts while rendering, and into
 * `x-nonce` for a component that needs it. Only dynamically rendered pages can carry a per-request
 * nonce: the root layout opts every page into dynamic rendering (app/layout.tsx).
 */
function withSecurityHeaders(request: NextRequest) {
  const nonce = createNonce();
  const headers = securityHeaders(request.nextUrl.pathname, nonce, {
    appUrl: env.APP_URL,
    authorityHost: env.ENTRA_AUTHORITY_HOST,
    isDevelopment: env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export async function proxy(request: NextRequest) {
  const secured = withSecurityHeaders(request);
  // Server actions: a foreign or missing Origin is a 403 and an oversized body a 413, before Next runs them.
  const refusal = await refuseUnsafeServerAction(request);
  if (!refusal) return secured;
  for (const [name, value] of secured.headers) if (!name.startsWith("x-middleware-")) refusal.headers.set(name, value);
  return refusal;
}

export const config = {
  matcher: [
    // Everything but the build's hashed static files (next.config.js gives them their headers) and
    // the API, whose handler (lib/api/handler.ts) sets the same headers on its answers ...
    "/((?!_next/static/|api/).*)",
    // ... and the API's requests without a body. One with a body must not pass here: for the proxy,
    // Next reads every body to its end before the route runs (buffering up to proxyClientMaxBodySize
    // and discarding the rest), so a 256 MiB upload would be read whole instead of refused at 64 KiB.
    {
      source: "/api/:path*",
      missing: [
        { type: "header", key: "content-length" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
  ],
};
