import { afterAll, inject } from "vitest";

// The app's modules read their configuration at import: set it before any test file imports them.
Object.assign(process.env, inject("appEnv"));

afterAll(async () => {
  // Imported late on purpose: a static import would load the configuration before it is set.
  const { stopBoss } = await import("@/lib/jobs/boss");
  await stopBoss();
});
