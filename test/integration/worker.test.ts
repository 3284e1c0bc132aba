import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { ROOT } from "../../scripts/lib/paths";
import { contextFor } from "../support/users";

/** `npm run worker` runs the jobs apart from the web app, and stops cleanly on SIGTERM. */
describe("npm run worker", () => {
  it("activates an approved request and exits 0 on SIGTERM", async () => {
    const worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    worker.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 30_000, interval: 200 }).toContain("worker running");

      const request = await requestAccess(
        { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Worker check" },
        await contextFor("n01@contoso.com"),
      );
      await expect
        .poll(async () => (await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe("active");
    } finally {
      worker.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 60_000);
});
