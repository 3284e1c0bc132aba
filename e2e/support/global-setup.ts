import type { FullConfig } from "@playwright/test";
import { startTestStack } from "../../test/support/stack";

/** Builds and starts the app against a fresh database and the emulator; the returned function stops it all. */
export default async function globalSetup(_config: FullConfig) {
  const stack = await startTestStack({ app: process.env.E2E_SKIP_BUILD ? "start" : "build-and-start" });
  process.env.E2E_APP_URL = stack.appUrl;
  process.env.E2E_EMULATOR_URL = stack.emulatorUrl;
  process.env.E2E_OPS_URL = stack.opsUrl;
  process.env.E2E_OTLP_URL = stack.otlpUrl;
  // For a spec that starts a second server of the same build with one setting changed.
  process.env.E2E_APP_ENV = JSON.stringify(stack.env);
  return () => stack.stop();
}
