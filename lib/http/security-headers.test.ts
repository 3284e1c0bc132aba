import { describe, expect, it } from "vitest";
import { createNonce, securityHeaders } from "./security-headers";

/** Guards the header values a browser cannot be asked about in e2e: production vs development, other authority hosts. */

const PRODUCTION = {
  appUrl: "https://jit.contoso.com",
  authorityHost: "https://login.microsoftonline.com",
  isDevelopment: false,
};

const directive = (csp: string, name: string) =>
  csp
    .split("; ")
    .find((d) => d.startsWith(`${name} `))
    ?.split(" ")
    .slice(1);

describe("security headers", () => {
  it("makes a new 128-bit nonce every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("lets a page run only its own nonce's scripts and talk only to itself and the authority", () => {
    const csp = securityHeaders("/access", "abc", PRODUCTION)["Content-Security-Policy"]!;
    expect(directive(csp, "script-src")).toEqual(["'self'", "'nonce-abc'", "'strict-dynamic'"]);
    expect(directive(csp, "style-src")).toEqual(["'self'", "'nonce-abc'"]);
    expect(directive(csp, "connect-src")).toEqual(["'self'", "https://login.microsoftonline.com"]);
    expect(directive(csp, "form-action")).toEqual(["'self'", "https://login.microsoftonline.com"]);
    expect(directive(csp, "frame-ancestors")).toEqual(["'none'"]);
    expect(directive(csp, "object-src")).toEqual(["'none'"]);
    expect(csp).toContain("upgrade-insecure-requests");
  });

  it("names the authority by its origin, whatever path ENTRA_AUTHORITY_HOST has", () => {
    const csp = securityHeaders("/", "abc", { ...PRODUCTION, authorityHost: "https://localhost:8443/entra" })[
      "Content-Security-Policy"
    ]!;
    expect(directive(csp, "connect-src")).toEqual(["'self'", "https://localhost:8443"]);
  });

  it("allows eval and inline styles under `next dev` only", () => {
    const csp = securityHeaders("/", "abc", { ...PRODUCTION, isDevelopment: true })["Content-Security-Policy"]!;
    expect(directive(csp, "script-src")).toContain("'unsafe-eval'");
    expect(directive(csp, "style-src")).toContain("'unsafe-inline'");
  });

  it("gives API routes a policy that allows nothing", () => {
    const headers = securityHeaders("/api/v1/requests", "abc", PRODUCTION);
    expect(headers["Content-Security-Policy"]).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
  });

  it("sends HSTS only when APP_URL is https, and never upgrades requests on http", () => {
    expect(securityHeaders("/", "abc", PRODUCTION)["Strict-Transport-Security"]).toBe(
      "max-age=31536000; includeSubDomains",
    );
    const local = securityHeaders("/", "abc", { ...PRODUCTION, appUrl: "http://localhost:3000" });
    expect(local["Strict-Transport-Security"]).toBeUndefined();
    expect(local["Content-Security-Policy"]).not.toContain("upgrade-insecure-requests");
  });
});
