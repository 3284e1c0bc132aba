import { afterAll, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { applyExtension } from "@/lib/access/apply-extension";
import { endAccessNow } from "@/lib/access/end-access-now";
import { extendRequest } from "@/lib/access/extend-request";
import { endGrant, expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { retryActivation } from "@/lib/access/retry-activation";
import { revokeRequest } from "@/lib/access/revoke-request";
import { db } from "@/lib/db/client";
import { QUEUES, type DeactivateJob, type ExtendJob } from "@/lib/jobs/queues";
import { demoUser } from "../support/emulator-browser";
import { adminAccessOf, emulatorState, injectFault, pendingFaults } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/** Extending, revoking and retrying access, against PostgreSQL and the emulator through the real SDKs. */

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const devAdmin = { cluster: "aks-dev-weu", role: "admin", justification: "Debug a rollout" };
const prodAdmin = { cluster: "aks-prod-weu", role: "admin", justification: "Rotate certs", ticket: "INC40001" };

async function activeProdAdmin(upn: string, now: Date) {
  const request = await requestAccess({ ...prodAdmin, duration: "PT1H" }, await contextFor(upn, now));
  const approver = await contextFor("p01@contoso.com", now);
  const { approveRequest } = await import("@/lib/access/approve-request");
  await approveRequest(request.id, { comment: "ok" }, approver);
  expect(await activateRequest(request.id, now)).toBe("active");
  return request;
}

/** The grant kinds whose removal calls are on a request's audit trail, one entry per call. */
async function removedGrantKinds(requestId: string) {
  const removals = await db.auditEvent.findMany({
    where: { requestId, type: "provider.call", data: { path: ["operation"], equals: "remove" } },
  });
  return removals.map((e) => (e.data as { grantKind: string }).grantKind).sort();
}

afterAll(async () => {
  await injectFault();
});

describe("extending active access", () => {
  it("moves the end in the ledger and at Entra PIM, within the role's limit", async () => {
    const now = new Date();
    const request = await activeProdAdmin("n01@contoso.com", now);
    const holder = await contextFor("n01@contoso.com", minutes(now, 20));

    const extended = await extendRequest(request.id, { duration: "PT30M" }, holder);
    expect(extended.activeUntil).toBe(minutes(now, 90).toISOString());
    const grants = await db.grant.findMany({ where: { coverage: { some: { requestId: request.id } } } });
    expect(grants.map((g) => g.endAt.getTime())).toEqual([minutes(now, 90).getTime(), minutes(now, 90).getTime()]);

    // PIM ends the assignment on its own: it must learn the new end from the extend job.
    const [job] = await takeQueuedJobs<ExtendJob>(QUEUES.extend, request.id);
    expect(job).toEqual({ requestId: request.id });
    await applyExtension(request.id, minutes(now, 20));
    const access = await adminAccessOf("n01@contoso.com", "aks-prod-weu");
    expect(access.pim).toHaveLength(1);
    expect(new Date(access.pim[0]!.endDateTime!).getTime()).toBe(minutes(now, 90).getTime());
    expect(access.rbac).toHaveLength(1);

    const event = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.extended" } });
    expect(event.data).toMatchObject({
      previousEnd: minutes(now, 60).toISOString(),
      newEnd: minutes(now, 90).toISOString(),
      extraMinutes: 30,
    });
    const calls = await db.auditEvent.findMany({ where: { requestId: request.id, type: "provider.call" } });
    expect(calls.some((c) => (c.data as { operation?: string }).operation === "extend")).toBe(true);

    // The prod admin role allows 12 h in all: 1 h 30 min used, so 10 h 31 min is too much.
    await expect(extendRequest(request.id, { duration: "PT10H31M" }, holder)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      fields: [{ field: "duration", message: expect.stringMatching(/extend by up to 10 h 30 min/) }],
    });
    await expect(
      extendRequest(request.id, { duration: "PT30M" }, await contextFor("p01@contoso.com", minutes(now, 20))),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expireDueAccess(minutes(now, 91));
    expect(await adminAccessOf("n01@contoso.com", "aks-prod-weu")).toEqual({ pim: [], rbac: [] });
  });

  it("sends extensions that need approval back to the request form", async () => {
    const now = new Date();
    const ctx = await contextFor("n02@contoso.com", now);
    const request = await requestAccess(
      {
        cluster: "aks-prod-weu",
        role: "node-access",
        duration: "PT1H",
        justification: "Node logs",
        ticket: "INC40002",
      },
      ctx,
    );
    const { approveRequest } = await import("@/lib/access/approve-request");
    await approveRequest(request.id, {}, await contextFor("p01@contoso.com", now));
    await activateRequest(request.id, now);
    await expect(extendRequest(request.id, { duration: "PT30M" }, ctx)).rejects.toMatchObject({
      fields: [{ field: "duration", message: expect.stringMatching(/needs approval: file a new request/) }],
    });
    await expireDueAccess(minutes(now, 61));
  });
});

describe("revoking access", () => {
  it("lets an admin end anyone's access now, with a reason, and sign them out of Entra ID", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT2H" }, await contextFor("n02@contoso.com", now));
    await activateRequest(request.id, now);
    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);

    const at = minutes(now, 5);
    await expect(
      revokeRequest(request.id, { reason: "no" }, await contextFor("n01@contoso.com", at)),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const admin = await contextFor("adm01@contoso.com", at);
    await expect(revokeRequest(request.id, { reason: " " }, admin)).rejects.toMatchObject({ code: "INVALID_INPUT" });

    const revoked = await revokeRequest(request.id, { reason: "Incident closed", endSessions: true }, admin);
    expect(revoked).toMatchObject({ status: "revoked", activeUntil: at.toISOString(), canRevoke: false });
    const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
    const holderId = demoUser("n02@contoso.com").id;
    expect(job).toMatchObject({ requestId: request.id, revokeSessionsOf: holderId });
    await endAccessNow(job!, at);

    expect(await adminAccessOf("n02@contoso.com", "aks-dev-weu")).toEqual({ pim: [], rbac: [] });
    // The removal's calls stay on the revoked request's trail, though it no longer covers the grants.
    expect(await removedGrantKinds(request.id)).toEqual(["armRoleAssignment", "entraPimGroup"]);
    expect((await emulatorState()).signInRevocations.map((r) => r.userId)).toContain(holderId);
    const event = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.revoked" } });
    expect(event).toMatchObject({ actorUpn: "adm01@contoso.com" });
    expect(event.data).toMatchObject({
      from: "active",
      to: "revoked",
      reason: "Incident closed",
      sessionsRevoked: true,
    });
  });

  it("keeps a removal that failed due, and the job retries it", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT2H" }, await contextFor("n01@contoso.com", now));
    await activateRequest(request.id, now);
    const admin = await contextFor("adm01@contoso.com", now);
    await revokeRequest(request.id, { reason: "Rotation" }, admin);
    const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
    await injectFault({ path: "roleAssignments/", method: "DELETE", count: 10, status: 500 });
    await expect(endAccessNow(job!, now)).rejects.toThrow(/could not be removed yet/);
    expect((await adminAccessOf("n01@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);
    await injectFault();
    await endAccessNow(job!, new Date(now.getTime() + 1000));
    expect(await adminAccessOf("n01@contoso.com", "aks-dev-weu")).toEqual({ pim: [], rbac: [] });
  }, 60_000);
});

describe("removing access once", () => {
  // Guards against concurrent removers (the sweep in every replica, the job at a grant's end, "End
  // now") each calling Entra ID and Azure for the same grant: they claim it, and share the work.
  it("calls the services once per grant when the sweeps and the end-now job run together", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT2H" }, await contextFor("n02@contoso.com", now));
    await activateRequest(request.id, now);
    const at = minutes(now, 5);
    await revokeRequest(request.id, { reason: "Overlap test" }, await contextFor("adm01@contoso.com", at));
    const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
    // Every removal takes a while, so that the removers overlap.
    await injectFault({ path: "roleAssignments/", method: "DELETE", count: 5, latencyMs: 400 });
    await injectFault({ path: "assignmentScheduleRequests", method: "POST", count: 5, latencyMs: 400 });
    await Promise.allSettled([endAccessNow(job!, at), expireDueAccess(at), expireDueAccess(at)]);
    await injectFault();
    await endAccessNow(job!, minutes(at, 1));

    expect(await adminAccessOf("n02@contoso.com", "aks-dev-weu")).toEqual({ pim: [], rbac: [] });
    expect(await removedGrantKinds(request.id)).toEqual(["armRoleAssignment", "entraPimGroup"]);
  }, 30_000);

  it("takes over a grant whose remover died once its claim lapses", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com", now));
    await activateRequest(request.id, now);
    const grants = { coverage: { some: { requestId: request.id } } };
    const end = minutes(now, 60);
    // A remover claimed the grants at their end, then its process was killed.
    await db.grant.updateMany({ where: grants, data: { removalClaimedUntil: minutes(end, 5) } });

    expect((await expireDueAccess(minutes(end, 1))).grants).toBe(0);
    expect((await adminAccessOf("n01@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);
    expect((await expireDueAccess(minutes(end, 6))).grants).toBe(2);
    expect(await adminAccessOf("n01@contoso.com", "aks-dev-weu")).toEqual({ pim: [], rbac: [] });
    expect(await db.grant.findMany({ where: grants, select: { status: true, removalClaimedUntil: true } })).toEqual([
      { status: "ended", removalClaimedUntil: null },
      { status: "ended", removalClaimedUntil: null },
    ]);
  });

  // Guards against a remover whose claim lapsed mid-call (a removal slower than JOB_TIMEOUT_SECONDS)
  // taking the grant that another remover ended meanwhile for an extended one, and applying it again.
  it("does not apply again a grant that a later remover ended while a slow one was still removing it", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n02@contoso.com", now));
    await activateRequest(request.id, now);
    const at = minutes(now, 5);
    await revokeRequest(request.id, { reason: "Slow removal" }, await contextFor("adm01@contoso.com", at));
    const grant = await db.grant.findFirstOrThrow({
      where: { orphanedByRequestId: request.id, bindingKey: { startsWith: "armRoleAssignment:" } },
    });
    await injectFault({ path: "roleAssignments/", method: "DELETE", count: 1, latencyMs: 1_500 });
    const slow = endGrant(grant.id, at, request.id);
    // The slow remover's DELETE is at the service: the emulator has taken the fault off its list.
    await expect.poll(pendingFaults).toEqual([]);
    // Past the slow remover's claim (JOB_TIMEOUT_SECONDS), another takes the grant over and ends it.
    expect(await endGrant(grant.id, minutes(at, 6), request.id)).toBe(true);
    expect(await slow).toBe(false);
    await injectFault();

    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toEqual([]);
    const applies = await db.auditEvent.count({
      where: {
        requestId: request.id,
        type: "provider.call",
        data: { path: ["operation"], equals: "apply" },
        occurredAt: { gte: at },
      },
    });
    expect(applies).toBe(0);
    expect(await db.grant.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({ status: "ended" });
  }, 30_000);
});

describe("retrying a failed activation", () => {
  it("lets another admin retry it, and the retry applies the access", async () => {
    const now = new Date();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com", now));
    await injectFault({ path: "roleAssignments/", method: "PUT", count: 1, status: 403 });
    expect(await takeQueuedJobs(QUEUES.activate, request.id)).toHaveLength(1);
    expect(await activateRequest(request.id, now)).toBe("failed");
    const failed = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(failed.failureReason).toMatch(/app identity is not allowed to assign/);

    await expect(retryActivation(request.id, await contextFor("n02@contoso.com", now))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const retried = await retryActivation(request.id, await contextFor("adm01@contoso.com", now));
    expect(retried).toMatchObject({ status: "approved", failureReason: null, activeUntil: null });
    const jobs = await takeQueuedJobs<{ requestId: string }>(QUEUES.activate, request.id);
    expect(jobs).toEqual([{ requestId: request.id }]);
    expect(await activateRequest(request.id, now)).toBe("active");
    expect((await adminAccessOf("n01@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);
    await expect(retryActivation(request.id, await contextFor("adm01@contoso.com", now))).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expireDueAccess(minutes(now, 61));
  });
});
