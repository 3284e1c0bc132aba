// @ts-check
/**
 * The app's configuration, read from the environment once and validated when a process starts:
 * the server (instrumentation.ts), the worker, `npm run config:check` and the launchers refuse to
 * run with a missing or malformed setting, naming it. `next build` checks nothing (one image is
 * built once and configured per environment, see parseEnvForBuild). Nothing else reads
 * process.env (an ESLint rule enforces it).
 *
 * The demo launcher (`npm run demo`) sets all of these for the local emulator; for a real tenant
 * see README.md, "Use your own Entra ID tenant".
 */
import { parseEnv, parseEnvForBuild } from "./env-schema.js";

// Next sets NEXT_PHASE while it builds (next/dist/build/index.js), in every build worker.
const isBuilding = process.env.NEXT_PHASE === "phase-production-build";

export const env = isBuilding ? parseEnvForBuild(process.env) : parseEnv(process.env);
