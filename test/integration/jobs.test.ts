import { describe, expect, it } from "vitest";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { contextFor } from "../support/users";

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
    const deadline = Date.now() + 20_000;
    let status = "pending";
    while (status === "pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status;
    }
    expect(status).toBe("timed_out");
  });
});
