// @ts-check
/**
 * The app's configuration, read from the environment once and validated at boot. next.config.js
 * imports this file, so `next dev`, `next build` and `next start` refuse to run with a missing or
 * malformed setting, naming it. Nothing else reads process.env (an ESLint rule enforces it).
 *
 * The demo launcher (`npm run demo`) sets all of these for the local emulator; for a real tenant
 * see README.md, "Use your own Entra ID tenant".
 */
import { parseEnv } from "./env-schema.js";

export const env = parseEnv(process.env);
