// @ts-check
import { readFileSync } from "node:fs";
import { PROXY_BODY_BUFFER_BYTES, SERVER_ACTION_BODY_LIMIT_BYTES } from "./lib/http/body-limits.js";
import { STATIC_ASSET_HEADERS } from "./lib/http/security-headers.js";

// The configuration is checked when a process starts (instrumentation.ts, the worker), not here:
// one image is built once and configured per environment.
const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `.next/standalone` holds the server and only the node_modules it uses: what the image ships.
  output: "standalone",
  // Rolling updates run two versions side by side: a browser holding the old one's pages reloads
  // instead of asking the new servers for assets and server actions they do not have. Set
  // DEPLOYMENT_ID (e.g. the git commit) when building an image; it defaults to the version.
  // eslint-disable-next-line no-restricted-syntax -- a build setting, not the app's configuration
  deploymentId: process.env.DEPLOYMENT_ID || `v${version.replace(/[^A-Za-z0-9_-]/g, "-")}`,
  experimental: {
    // forbidden() and forbidden.tsx: pages answer 403 with a page that explains what to do.
    authInterrupts: true,
    // Bodies: proxy.ts answers 413 over the action limit before Next would answer 500 (lib/http/body-limits.js).
    serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
    // What Next holds of each body for the proxy: small, since the proxy runs on every POST.
    proxyClientMaxBodySize: PROXY_BODY_BUFFER_BYTES,
  },
  // Plain Node libraries, loaded at run time instead of bundled: prom-client in particular must be
  // one module per process, or each bundle would count into a registry of its own.
  serverExternalPackages: ["pino", "pg", "pg-boss", "prom-client"],
  // Every other response gets its security headers, CSP with a nonce included, from proxy.ts.
  async headers() {
    return [
      {
        source: "/_next/static/:path*",
        headers: Object.entries(STATIC_ASSET_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};

export default nextConfig;
