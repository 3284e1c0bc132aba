import { afterAll, inject } from "vitest";

// This file's own database and emulator (test/support/file-stacks.ts), keyed by the vitest worker
// slot it runs in. The app's modules read their configuration at import: set it before any test file
// imports them.
const slot = process.env.VITEST_POOL_ID ?? String(process.pid);
const response = await fetch(`${inject("fileStacksUrl")}/stacks/${slot}`, { method: "POST" });
if (!response.ok) throw new Error(`no test stack for this file (${response.status}): ${await response.text()}`);
Object.assign(process.env, (await response.json()) as Record<string, string>);

afterAll(async () => {
  // Imported late on purpose: a static import would load the configuration before it is set.
  const { stopBoss } = await import("@/lib/jobs/boss");
  await stopBoss();
});
