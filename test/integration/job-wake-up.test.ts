import { describe, expect, it } from "vitest";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { startJobs } from "@/lib/jobs/start-jobs";
import { adminAccessOf } from "../support/emulator-state";
import { contextFor } from "../support/users";

const statusOf = async (id: string) => (await db.accessRequest.findUniqueOrThrow({ where: { id } })).status;

/**
 * Guards the wake-up of the access workers (decision 020): a queued activation is fetched when its
 * transaction commits, through PostgreSQL's NOTIFY, not at the worker's next poll. The workers poll
 * only every minute here, so a request activated within the test's time was not found by polling.
 */
describe("access jobs wake their workers when queued", () => {
  it("activates a request, and removes it when ended early, while the workers poll only every minute", async () => {
    await startJobs({ pollingIntervalSeconds: 60 });
    // The first may be found by the worker's first fetch at start; once it is done, the worker
    // waits out its minute.
    const first = await requestAccess(
      { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Wake-up, first" },
      await contextFor("n01@contoso.com"),
    );
    await expect.poll(() => statusOf(first.id), { timeout: 20_000, interval: 100 }).toBe("active");

    const second = await requestAccess(
      { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: "Wake-up, second" },
      await contextFor("n02@contoso.com"),
    );
    await expect.poll(() => statusOf(second.id), { timeout: 20_000, interval: 100 }).toBe("active");

    // Ending it early queues a deactivate job, which wakes its worker the same way.
    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);
    await deactivateRequest(second.id, await contextFor("n02@contoso.com"));
    await expect
      .poll(async () => (await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac, {
        timeout: 20_000,
        interval: 100,
      })
      .toEqual([]);
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 60_000);
});
