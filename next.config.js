// @ts-check
// Importing the env module validates the configuration before Next starts or builds.
import "./lib/config/env.js";

/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  experimental: {
    // forbidden() and forbidden.tsx: pages answer 403 with a page that explains what to do.
    authInterrupts: true,
  },
  // pino, pg and pg-boss are plain Node libraries: load them at run time instead of bundling them.
  serverExternalPackages: ["pino", "pg", "pg-boss"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
