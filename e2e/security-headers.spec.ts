import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { APIResponse, BrowserContext } from "@playwright/test";
import { freePort } from "../test/support/stack";
import { start, stop, waitForUrl } from "../scripts/lib/processes";
import { ROOT } from "../scripts/lib/paths";
import { APP_URL, expect, signInAs, test, waitForHydration } from "./support/fixtures";

/**
 * Guards against a page or route answering without the security headers (no CSP, HSTS or
 * Permissions-Policy before issue 14), or with a CSP nonce that its scripts do not carry (a page
 * prerendered at build time): every page and route handler in app/, found on disk so that a new one
 * is covered without anyone listing it.
 */

/** `app/(dashboard)/requests/[id]/page.tsx` → `/requests/<uuid>`: route groups vanish, params get a value. */
function urlPathOf(file: string) {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .filter((segment) => segment !== "." && !/^\(.+\)$/.test(segment))
    .map((segment) => (/^\[.+\]$/.test(segment) ? randomUUID() : segment));
  return `/${segments.join("/")}`;
}

const files = readdirSync(path.join(ROOT, "app"), { recursive: true, encoding: "utf8" });
const PAGES = files.filter((file) => path.basename(file) === "page.tsx").map(urlPathOf);
const ROUTES = files.filter((file) => path.basename(file) === "route.ts").map(urlPathOf);
const EVERY_PATH = [...PAGES, ...ROUTES];

function nonceOf(response: APIResponse) {
  const csp = response.headers()["content-security-policy"] ?? "";
  return /script-src 'self' 'nonce-([A-Za-z0-9+/=]{22,})' 'strict-dynamic'(;|$)/.exec(csp)?.[1];
}

function expectCommonHeaders(response: APIResponse, where: string) {
  const headers = response.headers();
  expect(headers["content-security-policy"], where).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"], where).toBe("nosniff");
  expect(headers["referrer-policy"], where).toBe("strict-origin-when-cross-origin");
  for (const feature of ["camera=()", "microphone=()", "geolocation=()"])
    expect(headers["permissions-policy"], where).toContain(feature);
}

test("[SECURITY] the page and route lists come from app/ and hold what they should", () => {
  expect(PAGES).toEqual(expect.arrayContaining(["/", "/access", "/admin", "/auth/popup", "/signed-out"]));
  expect(ROUTES).toEqual(expect.arrayContaining(["/api/health", "/api/v1/requests", "/auth/callback"]));
});

test("[SECURITY] every page answers with a CSP whose nonce is new per request and on each of its scripts", async ({
  context,
}) => {
  await signInAs(context, "adm01@contoso.com");
  for (const urlPath of PAGES) {
    const first = await context.request.get(urlPath, { maxRedirects: 0 });
    const second = await context.request.get(urlPath, { maxRedirects: 0 });
    const where = `GET ${urlPath} (${first.status()})`;
    expectCommonHeaders(first, where);
    const csp = first.headers()["content-security-policy"]!;
    expect(csp, where).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(csp, where).toMatch(/(^|; )object-src 'none'(;|$)/);
    expect(csp, where).toMatch(/(^|; )base-uri 'self'(;|$)/);
    expect(csp, where).not.toContain("unsafe-inline");
    expect(csp, where).not.toContain("unsafe-eval");
    const nonce = nonceOf(first);
    expect(nonce, `${where}: a nonce in script-src`).toBeTruthy();
    expect(nonceOf(second), `${where}: another nonce the second time`).not.toBe(nonce);
    expect(first.headers()["strict-transport-security"], `${where}: no HSTS over http`).toBeUndefined();
    // The step-up popup works under it (e2e/step-up.spec.ts): msal-browser 5 needs no window.opener.
    expect(first.headers()["cross-origin-opener-policy"], where).toBe("same-origin");

    expect(first.headers()["content-type"], where).toContain("text/html");
    const scripts = (await first.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, `${where}: Next's scripts`).toBeGreaterThan(0);
    for (const script of scripts)
      expect(script, `${where}: every script carries the nonce`).toContain(`nonce="${nonce}"`);
  }
});

/**
 * A route's status and headers, signed in as the context is, without waiting for its body: the live
 * dashboard's event stream (GET /events) never ends.
 */
async function headOf(context: BrowserContext, urlPath: string) {
  const url = new URL(urlPath, APP_URL);
  const cookies = await context.cookies(url.href);
  const abort = new AbortController();
  const answer = await fetch(url, {
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    redirect: "manual",
    signal: abort.signal,
  });
  abort.abort();
  const headers = Object.fromEntries(answer.headers);
  return { status: () => answer.status, headers: () => headers } as unknown as APIResponse;
}

test("[SECURITY] every route handler answers with the locked-down CSP", async ({ context }) => {
  await signInAs(context, "adm01@contoso.com");
  for (const urlPath of ROUTES) {
    const response = await headOf(context, urlPath);
    const where = `GET ${urlPath} (${response.status()})`;
    expectCommonHeaders(response, where);
    const csp = response.headers()["content-security-policy"]!;
    // The API's JSON loads nothing; the sign-in routes only redirect.
    if (urlPath.startsWith("/api/")) expect(csp, where).toMatch(/^default-src 'none'(;|$)/);
    else expect(nonceOf(response), where).toBeTruthy();
    expect(response.headers()["strict-transport-security"], `${where}: no HSTS over http`).toBeUndefined();
  }
});

test("[SECURITY] every page opens in the browser without a CSP violation", async ({ context, page }) => {
  await signInAs(context, "adm01@contoso.com");
  // The fixture fails the test on any violation the browser reports (e2e/support/fixtures.ts).
  for (const urlPath of PAGES) {
    await page.goto(urlPath);
    // Hydrated: the page's scripts ran (the CSP let them), and whatever they load has been asked for.
    await waitForHydration(page, "h1");
  }
});

test.describe("with an https APP_URL", () => {
  let appUrl: string;
  let server: ReturnType<typeof start> | undefined;

  test.beforeAll(async () => {
    // A second server of the same build, told that it is served over https (behind a proxy that
    // ends TLS, as in production); it still listens on plain http here.
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    server = start(process.execPath, [path.join(ROOT, ".next", "standalone", "server.js")], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(JSON.parse(process.env.E2E_APP_ENV!) as Record<string, string>),
        APP_URL: `https://localhost:${port}`,
        NODE_ENV: "production",
        PORT: String(port),
        HOSTNAME: "localhost",
        JOBS_IN_WEB: "false",
        OPS_PORT: "0",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    await waitForUrl(`${appUrl}/api/health/live`, 60_000, () => server!.exitCode === null);
  });

  test.afterAll(async () => {
    await stop(server);
  });

  test("[SECURITY] every page and route handler sends HSTS for a year with subdomains", async ({ request }) => {
    for (const urlPath of EVERY_PATH) {
      const response = await request.get(`${appUrl}${urlPath}`, { maxRedirects: 0 });
      const where = `GET ${urlPath} (${response.status()})`;
      expect(response.headers()["strict-transport-security"], where).toBe("max-age=31536000; includeSubDomains");
      expectCommonHeaders(response, where);
      if (!urlPath.startsWith("/api/"))
        expect(response.headers()["content-security-policy"], where).toContain("upgrade-insecure-requests");
    }
  });
});
