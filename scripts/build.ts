/* `npm run build`: the production build, one for every environment (nothing is configured at build
 * time). `.next/standalone/` becomes the whole runtime app, what the image copies to /app:
 *   server.js         the web app (Next's standalone server)
 *   worker.mjs        the background jobs
 *   migrate.mjs       the database migrations and the job queues' set-up (a pre-upgrade hook)
 *   config-check.mjs  checks the configuration and the catalog without starting (a pre-upgrade hook)
 *   doctor.mjs        checks the configuration against the tenant, read-only, with the pod's own identity
 * with the static assets, public/, prisma/migrations/ and the node_modules the server uses. The
 * demo, the e2e tests and the image tests all run this build. Once everything is in place it writes
 * .next/build-fingerprint.json, what the build was made from, so that the demo can reuse it. */
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { fingerprintOf, removeStamp, writeStamp } from "./lib/build-fingerprint";
import { BIN, BUILD_STAMP, ROOT, STANDALONE } from "./lib/paths";
import { run } from "./lib/processes";

const started = Date.now();
// Taken before building: a file edited while the build runs makes the next start build again.
const fingerprint = fingerprintOf(ROOT, process.env);
removeStamp(BUILD_STAMP);

await run(path.join(BIN, "next"), ["build"], {
  cwd: ROOT,
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
});

// Next leaves these out of the standalone output on purpose (a CDN may serve them); we serve them.
cpSync(path.join(ROOT, "public"), path.join(STANDALONE, "public"), { recursive: true });
cpSync(path.join(ROOT, ".next", "static"), path.join(STANDALONE, ".next", "static"), { recursive: true });
rmSync(path.join(STANDALONE, "prisma"), { recursive: true, force: true });
cpSync(path.join(ROOT, "prisma", "migrations"), path.join(STANDALONE, "prisma", "migrations"), { recursive: true });

// The worker and the hooks are bundled with the app's own code; the Node libraries Next also keeps
// external come from the standalone node_modules, so that each exists once in the image.
await build({
  entryPoints: {
    worker: path.join(ROOT, "scripts", "worker.ts"),
    migrate: path.join(ROOT, "scripts", "migrate.ts"),
    "config-check": path.join(ROOT, "scripts", "config-check.ts"),
    doctor: path.join(ROOT, "scripts", "doctor.ts"),
  },
  outdir: STANDALONE,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // `server-only` is empty under the react-server condition, as in Next's server bundles.
  conditions: ["react-server"],
  external: ["pg", "pg-boss", "pino", "prom-client"],
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  legalComments: "none",
  logLevel: "warning",
});

if (fingerprint) writeStamp(BUILD_STAMP, fingerprint);
console.log(
  `Built .next/standalone in ${Math.round((Date.now() - started) / 1000)} s: node server.js | worker.mjs | migrate.mjs | config-check.mjs | doctor.mjs`,
);
