import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { idNamer } from "@/lib/access/id-names";
import { listRecentRetries } from "@/lib/access/recent-retries";
import { requestAccess } from "@/lib/access/request-access";
import { retryActivation } from "@/lib/access/retry-activation";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { demoUser } from "../support/emulator-browser";
import { injectFault } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/** Failures in plain words: names instead of object ids, and what became of an admin's retry. */

const devNodeAccess = { cluster: "aks-dev-weu", role: "node-access", duration: "PT1H", justification: "Debug a node" };

afterAll(async () => {
  await injectFault();
  await expireDueAccess(new Date(Date.now() + 2 * 3_600_000));
});

async function failedRequest(upn: string) {
  const request = await requestAccess(devNodeAccess, await contextFor(upn));
  await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 1, status: 403 });
  await takeQueuedJobs(QUEUES.activate, request.id);
  expect(await activateRequest(request.id, new Date())).toBe("failed");
  return request;
}

describe("plain failures", () => {
  it("names the person and the group a refused activation was about, instead of their object ids", async () => {
    const request = await failedRequest("n01@contoso.com");
    const { failureReason } = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
    const n01 = demoUser("n01@contoso.com");
    // The provider's words carry object ids: the person's and the catalog group's.
    expect(failureReason).toContain(n01.id);
    const names = await idNamer([failureReason]);
    const named = names(failureReason!);
    expect(named).not.toContain(n01.id);
    expect(named).toContain(n01.displayName);
    // The group is the node-access role's, on every cluster that grants it.
    expect(named).toMatch(/a member of group [^ ]*node-access[^ ]* \([^)]*aks-dev-weu[^)]*\)/);
  });

  it("shows the admin what became of a retry: running, then succeeded or failed again with the reason", async () => {
    const admin = await contextFor("adm01@contoso.com");
    const request = await failedRequest("n02@contoso.com");
    await retryActivation(request.id, admin);
    const outcomeOf = async () =>
      (await listRecentRetries(admin.viewer)).find((r) => r.href === `/requests/${request.id}`);
    expect(await outcomeOf()).toMatchObject({ outcome: "running", retriedBy: "adm01@contoso.com" });

    // The retry fails again: the admin reads why, in names.
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 1, status: 403 });
    await takeQueuedJobs(QUEUES.activate, request.id);
    expect(await activateRequest(request.id, new Date())).toBe("failed");
    const failedAgain = await outcomeOf();
    expect(failedAgain).toMatchObject({ outcome: "failed", detail: expect.stringContaining("Entra ID refused") });
    expect(failedAgain!.detail).not.toContain(demoUser("n02@contoso.com").id);

    // Retried once more with the cause gone: one row for the request, now a success.
    await retryActivation(request.id, admin);
    await takeQueuedJobs(QUEUES.activate, request.id);
    expect(await activateRequest(request.id, new Date())).toBe("active");
    const rows = (await listRecentRetries(admin.viewer)).filter((r) => r.href === `/requests/${request.id}`);
    expect(rows).toEqual([
      expect.objectContaining({ outcome: "succeeded", detail: expect.stringContaining("Access applied") }),
    ]);
    await expect(listRecentRetries((await contextFor("aud01@contoso.com")).viewer)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
