import { describe, expect, it } from "vitest";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { getBoss, jobLoopsStatus } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { contextFor } from "../support/users";

const statusOf = async (id: string) => (await db.accessRequest.findUniqueOrThrow({ where: { id } })).status;

/** Guards the wiring of the background jobs: a pending request times out with nobody acting. */
describe("background jobs", () => {
  it("schedules the time-out sweep every minute, and its worker times out overdue requests", async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3_600_000);
    const request = await requestAccess(
      { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification: "Left pending", ticket: "INC20001" },
      await contextFor("n01@contoso.com", twoDaysAgo),
    );
    await startJobs();
    const boss = await getBoss();
    expect((await boss.getSchedules()).map((s) => [s.name, s.cron])).toContainEqual([
      QUEUES.timeOutRequests,
      "* * * * *",
    ]);

    // Run the sweep now rather than waiting for the next minute.
    await boss.send(QUEUES.timeOutRequests, {});
    await expect.poll(() => statusOf(request.id), { timeout: 20_000, interval: 250 }).toBe("timed_out");
  });

  it("activates an approved request through the activate worker", async () => {
    const request = await requestAccess(
      { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Inspect a node" },
      await contextFor("n02@contoso.com"),
    );
    await expect.poll(() => statusOf(request.id), { timeout: 20_000, interval: 250 }).toBe("active");
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  });

  it("verifies the audit chain every day by itself, recorded with no actor", async () => {
    await startJobs();
    const boss = await getBoss();
    expect((await boss.getSchedules()).map((s) => [s.name, s.cron])).toContainEqual([QUEUES.verifyAudit, "17 3 * * *"]);
    const before = await db.auditVerification.count();
    await boss.send(QUEUES.verifyAudit, {});
    await expect.poll(() => db.auditVerification.count(), { timeout: 30_000, interval: 250 }).toBeGreaterThan(before);
    const latest = await db.auditVerification.findFirstOrThrow({ orderBy: { ranAt: "desc" } });
    expect(latest).toMatchObject({ ranByUpn: null, isIntact: true });
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "audit.verified", subjectId: latest.id } });
    expect(event).toMatchObject({ actorId: null, actorUpn: null });
    expect(event.data).toMatchObject({ channel: "schedule", isIntact: true });
  });

  // Guards the worker's readiness: pg-boss swallows its loops' fetch errors, so the app watches
  // their fetches itself; a loop that stopped polling makes the process unready.
  it("sees every job loop poll, and calls a loop that stopped polling not ready", async () => {
    await startJobs();
    const started = Date.now();
    // Every loop fetched after started + 1 s: seen from 31 s on, none is older than 30 s.
    await expect.poll(() => jobLoopsStatus(started + 31_000), { timeout: 10_000 }).toEqual({ status: "ok" });
    const later = jobLoopsStatus(Date.now() + 60_000);
    expect(later.status).toBe("down");
    expect(later.error).toMatch(/not polling: .*activate \(\d+ s\)/);
  });
});
