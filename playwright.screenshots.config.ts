import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

/**
 * `npm run docs:screenshots`: the README's screenshots (docs/images/), taken by walking the main
 * pages as each person would, at 1440×900 and on a 390×844 phone, against the same stack as the e2e
 * journeys (a fresh database, the emulator, the production build). Not a test: it is not in `npm test`.
 */
export default defineConfig({
  ...base,
  testDir: "scripts/screenshots",
  timeout: 180_000,
  reporter: [["list"]],
});
