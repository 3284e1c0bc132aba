import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { activateRequest, giveUpActivation } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { ProviderError } from "@/lib/cloud/access-provider";
import { useProviders } from "@/lib/cloud/providers";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { demoUser } from "../support/emulator-browser";
import { fakeProviders, type FakeAccessProvider } from "../support/fake-access-provider";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * The activation job's branches, with an in-memory provider in place of Entra ID and ARM: a
 * retryable failure goes back to the queue with the access period already in the ledger; any other
 * failure, or the last retry, ends the request and removes what it alone applied; and a failing
 * request never takes away the access another request gives the same person.
 */

const fakes = fakeProviders();
// aks-dev-weu's admin role: the admin PIM group, then AKS RBAC Admin on the cluster.
const pim = fakes.entraPimGroup;
const rbac = fakes.armRoleAssignment;
const devAdmin = { cluster: "aks-dev-weu", role: "admin", justification: "Branch check", duration: "PT1H" };

let restoreProviders = () => {};
beforeAll(() => {
  restoreProviders = useProviders(fakes);
});
afterAll(() => restoreProviders());
afterEach(async () => {
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
  for (const fake of Object.values(fakes)) fake.calls.length = 0;
});

/** A self-activated request whose queued activation the test runs itself. */
async function filed(upn: string, duration = devAdmin.duration) {
  const now = new Date();
  const request = await requestAccess({ ...devAdmin, duration }, await contextFor(upn, now));
  await takeQueuedJobs(QUEUES.activate, request.id);
  return { id: request.id, now };
}

const rowOf = (id: string) => db.accessRequest.findUniqueOrThrow({ where: { id } });
const callsFor = (fake: FakeAccessProvider, upn: string, operation: string) =>
  fake.calls.filter((c) => c.operation === operation && c.principalId === demoUser(upn).id);
const transient = () =>
  new ProviderError("transient", "Entra ID failed temporarily (HTTP 503 ServiceUnavailable)", { status: 503 });
const forbidden = () => new ProviderError("forbidden", "ARM refused the role assignment (HTTP 403)", { status: 403 });

describe("activation branches, against an in-memory provider", () => {
  it("applies each grant once with the ledger's end, and a second run changes nothing", async () => {
    const { id, now } = await filed("n01@contoso.com");
    expect(await activateRequest(id, now)).toBe("active");
    const row = await rowOf(id);
    expect(row.activeUntil).toEqual(new Date(now.getTime() + 3_600_000));
    for (const fake of [pim, rbac]) {
      expect(callsFor(fake, "n01@contoso.com", "apply").map((c) => c.endAt)).toEqual([row.activeUntil]);
    }
    expect(await activateRequest(id, now)).toBe("skipped");
    expect(callsFor(pim, "n01@contoso.com", "apply")).toHaveLength(1);
  });

  it("hands a transient failure back to the queue: still activating, the reason kept, the period in the ledger", async () => {
    const { id, now } = await filed("n02@contoso.com");
    pim.failNext("apply", transient());
    await expect(activateRequest(id, now)).rejects.toThrow(/failed temporarily/);
    const waiting = await rowOf(id);
    expect(waiting).toMatchObject({ status: "activating", failureReason: expect.stringMatching(/HTTP 503/) });
    const grants = await db.grant.findMany({ where: { coverage: { some: { requestId: id } } } });
    expect(grants.map((g) => [g.status, g.endAt])).toEqual([
      ["active", waiting.activeUntil],
      ["active", waiting.activeUntil],
    ]);
    // The grants are applied side by side: the role assignment was made beside the failed call.
    expect(callsFor(rbac, "n02@contoso.com", "apply")).toHaveLength(1);

    // The queue's retry: the same period, applied this time; the role assignment again, idempotently.
    expect(await activateRequest(id, new Date(now.getTime() + 5_000))).toBe("active");
    expect(await rowOf(id)).toMatchObject({ status: "active", failureReason: null, activeUntil: waiting.activeUntil });
    expect(callsFor(pim, "n02@contoso.com", "apply")).toHaveLength(2);
    expect(callsFor(rbac, "n02@contoso.com", "apply")).toHaveLength(2);
  });

  it("fails on a refusal that retrying cannot fix, with the service's words, and removes what it applied", async () => {
    const { id, now } = await filed("n01@contoso.com");
    rbac.failNext("apply", forbidden());
    expect(await activateRequest(id, now)).toBe("failed");
    expect(await rowOf(id)).toMatchObject({
      status: "failed",
      failureReason: "ARM refused the role assignment (HTTP 403)",
    });
    // The PIM assignment made before the refusal is removed again; nothing is left with the person.
    expect(callsFor(pim, "n01@contoso.com", "remove")).toHaveLength(1);
    expect(pim.bindingsHeldBy(demoUser("n01@contoso.com").id)).toEqual([]);
    const grants = await db.grant.findMany({ where: { orphanedByRequestId: id } });
    expect(grants.map((g) => g.status)).toEqual(["ended", "ended"]);
  });

  it("gives up after the last retry with the last answer, leaving nothing applied", async () => {
    const { id, now } = await filed("n02@contoso.com");
    pim.failNext("apply", transient());
    await expect(activateRequest(id, now)).rejects.toThrow(ProviderError);
    await giveUpActivation(id, new Date(now.getTime() + 60_000), "test-give-up");
    const row = await rowOf(id);
    expect(row.status).toBe("failed");
    expect(row.failureReason).toMatch(
      /kept failing through every retry.*The last answer was: Entra ID failed temporarily/s,
    );
    expect(callsFor(pim, "n02@contoso.com", "remove")).toHaveLength(1);
    expect(callsFor(rbac, "n02@contoso.com", "remove")).toHaveLength(1);
  });

  it("never takes away the access another request gives the same person when its own activation fails", async () => {
    const active = await filed("n01@contoso.com");
    expect(await activateRequest(active.id, active.now)).toBe("active");
    const until = (await rowOf(active.id)).activeUntil;

    const failing = await filed("n01@contoso.com", "PT2H");
    rbac.failNext("apply", forbidden());
    expect(await activateRequest(failing.id, failing.now)).toBe("failed");

    expect([...callsFor(pim, "n01@contoso.com", "remove"), ...callsFor(rbac, "n01@contoso.com", "remove")]).toEqual([]);
    // The shared grants end with the active request again, not with the failed one's longer period.
    const grants = await db.grant.findMany({ where: { coverage: { some: { requestId: active.id } } } });
    expect(grants.map((g) => [g.status, g.endAt])).toEqual([
      ["active", until],
      ["active", until],
    ]);
  });
});
