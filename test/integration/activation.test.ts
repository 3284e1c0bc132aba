import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { endAccessNow } from "@/lib/access/end-access-now";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import { takeQueuedJobs } from "../support/jobs";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { ProviderError } from "@/lib/cloud/access-provider";
import { demoUser } from "../support/emulator-browser";
import { adminAccessOf, injectFault } from "../support/emulator-state";
import { contextFor } from "../support/users";

/** Applying approved access in the emulator's Entra ID and ARM, and removing it at its end. */

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const accessOf = (upn: string) => adminAccessOf(upn, "aks-dev-weu");
const faults = injectFault;

const devAdmin = { cluster: "aks-dev-weu", role: "admin", justification: "Debug a rollout" };

afterAll(async () => {
  await faults();
});

describe("activation and expiry", () => {
  it("applies a dev admin request in Entra PIM and ARM, then removes it at its end", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n02@contoso.com", now));
    expect(await activateRequest(request.id, now)).toBe("active");

    const row = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row).toMatchObject({ status: "active", activeFrom: now, activeUntil: minutes(now, 60) });
    const applied = await accessOf("n02@contoso.com");
    expect(applied.pim).toHaveLength(1);
    expect(new Date(applied.pim[0]!.endDateTime!).getTime()).toBe(minutes(now, 60).getTime());
    expect(applied.rbac).toHaveLength(1);
    expect(await db.grant.count({ where: { coverage: { some: { requestId: request.id } }, status: "active" } })).toBe(
      2,
    );
    const events = await db.auditEvent.findMany({ where: { requestId: request.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.type)).toEqual([
      "request.created",
      "request.approved",
      "request.activating",
      "provider.call",
      "provider.call",
      "request.activated",
    ]);
    // Every call to Entra ID and ARM is in the history: what was sent, the answer, the service's request id.
    const calls = events.filter((e) => e.type === "provider.call").map((e) => e.data as Record<string, unknown>);
    expect(calls).toEqual([
      expect.objectContaining({
        service: "graph",
        method: "POST",
        status: 201,
        operation: "apply",
        grantKind: "entraPimGroup",
        providerRequestId: expect.any(String),
        durationMs: expect.any(Number),
        requestBody: expect.objectContaining({ action: "adminAssign", principalId: demoUser("n02@contoso.com").id }),
      }),
      expect.objectContaining({ service: "arm", method: "PUT", status: 201, grantKind: "armRoleAssignment" }),
    ]);

    expect(await activateRequest(request.id, now)).toBe("skipped");
    expect((await accessOf("n02@contoso.com")).rbac).toHaveLength(1);

    expect(await expireDueAccess(minutes(now, 30))).toEqual({ requests: 0, grants: 0 });
    const result = await expireDueAccess(minutes(now, 61));
    expect(result.requests).toBeGreaterThanOrEqual(1);
    expect(result.grants).toBeGreaterThanOrEqual(2);
    expect(await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      status: "expired",
    });
    expect(await accessOf("n02@contoso.com")).toEqual({ pim: [], rbac: [] });
  });

  it("keeps access that a second, overlapping request still covers", async () => {
    const now = new Date();
    const first = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com", now));
    const second = await requestAccess(
      { ...devAdmin, duration: "PT2H" },
      await contextFor(first.requester.userPrincipalName, minutes(now, 30)),
    );
    await activateRequest(first.id, now);
    await activateRequest(second.id, minutes(now, 30));
    const upn = first.requester.userPrincipalName;
    expect((await accessOf(upn)).rbac).toHaveLength(1);
    const grants = await db.grant.findMany({ where: { coverage: { some: { requestId: second.id } } } });
    expect(grants.map((g) => g.endAt.getTime())).toEqual([minutes(now, 150).getTime(), minutes(now, 150).getTime()]);

    await expireDueAccess(minutes(now, 61));
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("expired");
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: second.id } })).status).toBe("active");
    expect((await accessOf(upn)).rbac).toHaveLength(1);

    await expireDueAccess(minutes(now, 151));
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: second.id } })).status).toBe("expired");
    expect(await accessOf(upn)).toEqual({ pim: [], rbac: [] });
  });

  it("leaves a throttled or failing activation to be retried, then succeeds", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com", now));
    await faults({ path: "roleAssignments/", method: "PUT", count: 8, status: 503 });
    await expect(activateRequest(request.id, now)).rejects.toBeInstanceOf(ProviderError);
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("activating");
    await faults();
    expect(await activateRequest(request.id, now)).toBe("active");
    await expireDueAccess(minutes(now, 61));
  }, 60_000);

  it("fails a request whose activation is refused, and removes what it had applied", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com", now));
    await faults({ path: "roleAssignments/", method: "PUT", count: 1, status: 403 });
    expect(await activateRequest(request.id, now)).toBe("failed");
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("failed");
    const failed = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "request.activation_failed" },
    });
    expect(String((failed.data as { reason: string }).reason)).toMatch(/Azure|403|refused|forbidden/i);
    expect(await accessOf("n01@contoso.com")).toEqual({ pim: [], rbac: [] });
  });

  it("timestamps request.activated and request.activation_failed after the provider calls that led to them", async () => {
    // Guards against the outcome carrying the job's start time, which put "Access applied" before
    // the Graph and ARM calls that applied it in the timeline and the audit.
    const timesOf = async (requestId: string) =>
      (await db.auditEvent.findMany({ where: { requestId }, orderBy: { seq: "asc" } })).map((e) => ({
        type: e.type,
        at: e.occurredAt.getTime(),
      }));
    const expectInOrder = (events: Array<{ type: string; at: number }>, outcome: string) => {
      const index = events.findIndex((e) => e.type === outcome);
      const callsBefore = events.slice(0, index).filter((e) => e.type === "provider.call");
      expect(callsBefore.length).toBeGreaterThan(0);
      expect(events[index]!.at).toBeGreaterThanOrEqual(Math.max(...callsBefore.map((c) => c.at)));
      expect(events.map((e) => e.at)).toEqual(events.map((e) => e.at).sort((a, b) => a - b));
    };

    const now = new Date();
    const applied = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n02@contoso.com", now));
    expect(await activateRequest(applied.id, now)).toBe("active");
    expectInOrder(await timesOf(applied.id), "request.activated");
    // The access period still starts when the job began: only the record of the outcome moved.
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: applied.id } })).activeFrom).toEqual(now);
    await expireDueAccess(minutes(now, 61));

    const refusedAt = new Date();
    const refused = await requestAccess(
      { ...devAdmin, duration: "PT1H" },
      await contextFor("n01@contoso.com", refusedAt),
    );
    await faults({ path: "roleAssignments/", method: "PUT", count: 1, status: 403 });
    expect(await activateRequest(refused.id, refusedAt)).toBe("failed");
    expectInOrder(await timesOf(refused.id), "request.activation_failed");
  });

  it("lets the holder end their access early, and nobody else", async () => {
    const now = new Date();
    const holder = await contextFor("n02@contoso.com", now);
    const request = await requestAccess({ ...devAdmin, duration: "PT2H" }, holder);
    await activateRequest(request.id, now);
    expect((await accessOf("n02@contoso.com")).rbac).toHaveLength(1);

    await expect(
      deactivateRequest(request.id, await contextFor("p01@contoso.com", minutes(now, 10))),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const ended = await deactivateRequest(request.id, { ...holder, now: minutes(now, 10) }, { comment: "Done" });
    expect(ended).toMatchObject({
      status: "deactivated",
      activeUntil: minutes(now, 10).toISOString(),
      canEndEarly: false,
    });
    // The removal is the `deactivate` job's, queued with the state change.
    const [job, ...more] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
    expect(more).toEqual([]);
    expect(job).toMatchObject({ requestId: request.id, revokeSessionsOf: null });
    expect(job!.grantIds).toHaveLength(2);
    await endAccessNow(job!, minutes(now, 10));
    expect(await accessOf("n02@contoso.com")).toEqual({ pim: [], rbac: [] });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "request.deactivated" },
    });
    expect(event.data).toMatchObject({ from: "active", to: "deactivated", actorKind: "user", comment: "Done" });
  });
});
