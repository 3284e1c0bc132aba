import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { ROOT } from "../../scripts/lib/paths";
import { contextFor } from "../support/users";

/** `npm run worker` runs the jobs apart from the web app, and stops cleanly on SIGTERM. */
describe("npm run worker", () => {
  it("activates an approved request and exits 0 on SIGTERM", async () => {
    // Keep other files' queued activations out of this worker's hands.
    await getBoss();
    await db.$executeRaw`UPDATE pgboss.job SET state = 'cancelled' WHERE name = 'activate' AND state IN ('created', 'retry')`;
    const worker = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    worker.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes("worker running") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(output).toContain("worker running");

      const request = await requestAccess(
        { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Worker check" },
        await contextFor("n01@contoso.com"),
      );
      let status: string = request.status;
      while (status !== "active" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status;
      }
      expect(status).toBe("active");
    } finally {
      worker.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 60_000);
});
