import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { endAccessNow } from "@/lib/access/end-access-now";
import { expireDueAccess } from "@/lib/access/expire-access";
import { loadRequestView } from "@/lib/access/request-queries";
import { reconcileAccess } from "@/lib/access/reconcile-access";
import { requestAccess } from "@/lib/access/request-access";
import { revokeRequest } from "@/lib/access/revoke-request";
import { ProviderError, type GrantTarget } from "@/lib/cloud/access-provider";
import { armAuthorizationClient } from "@/lib/cloud/credentials";
import { entraPimGroupProvider } from "@/lib/cloud/providers/entra-pim-group";
import { db } from "@/lib/db/client";
import { QUEUES, type DeactivateJob } from "@/lib/jobs/queues";
import { demoUser } from "../support/emulator-browser";
import {
  createEmulatorUser,
  emulatorState,
  setEmulatorClock,
  setEmulatorSettings,
  STACK_SETTINGS,
} from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * PIM's rules that a real tenant enforces, against the emulator enforcing them: the 5-minute minimum
 * before an assignment can be removed (ActiveDurationTooShort), and Entra ID's replication delays.
 * The test catalog's `aks-pim-test` cluster (test/support/test-catalog.ts) has one self-activated role per PIM
 * grant kind: `pim-group` (entraPimGroup, the node-access group) and `arm-pim` (armPim, AKS RBAC Admin).
 */

const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333";
const CLUSTER_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService/managedClusters/aks-pim-test`;
const NODE_ACCESS_GROUP = "b73188ba-c417-45ba-9086-cec34a6ccddb";
const RBAC_ADMIN = "3498e952-d568-435e-9b2c-8d77e338d7f7";
const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const hhmm = (date: Date) => date.toISOString().slice(11, 16);

afterEach(async () => {
  await setEmulatorClock(0);
  await setEmulatorSettings(STACK_SETTINGS);
});

/** The person's assignment at the emulator, for the role's one grant kind. */
async function heldAt(kind: "pim-group" | "arm-pim", principalId: string) {
  const state = await emulatorState();
  return kind === "pim-group"
    ? state.pimGroupAssignments.filter((a) => a.principalId === principalId && a.groupId === NODE_ACCESS_GROUP)
    : state.roleAssignments.filter(
        (a) =>
          a.principalId === principalId &&
          a.scope.toLowerCase() === CLUSTER_SCOPE.toLowerCase() &&
          a.roleDefinitionId.toLowerCase().endsWith(RBAC_ADMIN),
      );
}

/** When the assignment started at the service: what PIM measures its minimum from. */
async function serviceStart(kind: "pim-group" | "arm-pim", principalId: string, requested: Date) {
  if (kind === "pim-group") return requested; // the Graph provider sends the window's start
  const client = armAuthorizationClient(SUBSCRIPTION);
  for await (const instance of client.roleAssignmentScheduleInstances.listForScope(CLUSTER_SCOPE, {
    filter: `principalId eq '${principalId}'`,
  })) {
    if (instance.startDateTime) return instance.startDateTime;
  }
  throw new Error("no active assignment at the service");
}

async function startAfterOf(requestId: string) {
  const rows = await db.$queryRaw<Array<{ start_after: Date }>>`
    SELECT start_after FROM pgboss.job
    WHERE name = ${QUEUES.deactivate} AND state = 'created' AND data->>'requestId' = ${requestId}`;
  return rows.map((row) => row.start_after);
}

describe("PIM's 5-minute minimum before removal (ActiveDurationTooShort)", () => {
  // Guards against "End now" or a revoke right after activation failing for good, leaving the access
  // in place until its end: PIM refuses the removal, and the app must remove it once PIM allows it.
  it.each([
    ["pim-group", "deactivate", "n01@contoso.com"],
    ["arm-pim", "revoke", "n02@contoso.com"],
    ["arm-pim", "expire", "n01@contoso.com"],
  ] as const)(
    "%s: an end by %s within 5 minutes is deferred to start + 5 min, shown to the holder, then removed",
    async (role, how, upn) => {
      await setEmulatorSettings({ minimumActiveDurationSeconds: 300 });
      const principalId = demoUser(upn).id;
      const now = new Date();
      const holder = await contextFor(upn, now);
      const duration = how === "expire" ? "PT2M" : "PT1H";
      const request = await requestAccess(
        { cluster: "aks-pim-test", role, duration, justification: "Check the rollout" },
        holder,
      );
      await takeQueuedJobs(QUEUES.activate, request.id);
      expect(await activateRequest(request.id, now)).toBe("active");
      expect(await heldAt(role, principalId)).toHaveLength(1);
      const start = await serviceStart(role, principalId, now);

      // Refused by PIM, and not a failure: the job (or the sweep) completes, and the access stays until
      // PIM allows its removal.
      const at = minutes(now, how === "expire" ? 2 : 1);
      if (how === "expire") {
        expect(await expireDueAccess(at)).toMatchObject({ requests: 1 });
      } else {
        if (how === "deactivate") await deactivateRequest(request.id, await contextFor(upn, at));
        else await revokeRequest(request.id, { reason: "Wrong cluster" }, await contextFor("adm01@contoso.com", at));
        const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
        await endAccessNow(job!, at);
      }
      expect(await heldAt(role, principalId)).toHaveLength(1);

      const earliest = minutes(start, 5);
      const grant = await db.grant.findFirstOrThrow({
        where: { OR: [{ orphanedByRequestId: request.id }, { coverage: { some: { requestId: request.id } } }] },
      });
      expect(grant).toMatchObject({ status: "active", endAt: earliest, removalClaimedUntil: null });
      const deferral = await db.auditEvent.findFirstOrThrow({
        where: { requestId: request.id, type: "access.removal_deferred" },
      });
      expect(deferral.data).toMatchObject({
        grantId: grant.id,
        grantKind: role === "pim-group" ? "entraPimGroup" : "armPim",
        notBefore: earliest.toISOString(),
        reason: expect.stringMatching(/at least 5 minutes/),
      });
      const view = await loadRequestView(request.id, holder.viewer);
      expect(view.status).toBe({ deactivate: "deactivated", revoke: "revoked", expire: "expired" }[how]);
      expect(view.deferredRemoval).toEqual({
        at: earliest.toISOString(),
        message: `Access ends at ${hhmm(earliest)} UTC: PIM keeps an assignment for at least 5 minutes.`,
      });

      // The job that removes it waits for that moment.
      expect(await startAfterOf(request.id)).toEqual([earliest]);
      const [deferred] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
      expect(deferred).toEqual({ requestId: request.id, grantIds: [grant.id], revokeSessionsOf: null });

      // Five minutes later at the service, the job removes it and nothing is left behind.
      await setEmulatorClock(300);
      await endAccessNow(deferred!, earliest);
      expect(await heldAt(role, principalId)).toEqual([]);
      expect(await db.grant.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({
        status: "ended",
        removalClaimedUntil: null,
      });
      expect(await db.grant.count({ where: { userId: holder.viewer.id, status: "active" } })).toBe(0);
      expect((await loadRequestView(request.id, holder.viewer)).deferredRemoval).toBeNull();
      expect(await takeQueuedJobs(QUEUES.deactivate, request.id)).toEqual([]);
    },
  );
});

describe("Entra ID replication", () => {
  // Guards against a PrincipalNotFound from ARM for an account created moments ago failing the
  // activation for good: it is retried (the activate job's backoff) until Azure knows the person.
  it("retries an armPim activation for a person Azure does not know yet, then applies it", async () => {
    const id = randomUUID();
    const upn = `new-${id.slice(0, 8)}@contoso.com`;
    const user = await createEmulatorUser({
      id,
      userPrincipalName: upn,
      groupIds: ["5276251f-922a-4a74-bd64-dd49ae92e206"], // default: eligible for the role
    });
    try {
      await setEmulatorSettings({ principalReplicationDelaySeconds: 60 });
      const now = new Date();
      const request = await requestAccess(
        { cluster: "aks-pim-test", role: "arm-pim", duration: "PT1H", justification: "First day" },
        await contextFor(upn, now),
      );
      await takeQueuedJobs(QUEUES.activate, request.id);

      const failure = await activateRequest(request.id, now).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ProviderError);
      expect(failure).toMatchObject({ kind: "transient", code: "PrincipalNotFound", isRetryable: true });
      expect(await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
        status: "activating",
        failureReason: expect.stringMatching(/replicating a new account/),
      });

      await setEmulatorClock(60);
      expect(await activateRequest(request.id, now)).toBe("active");
      expect(await heldAt("arm-pim", id)).toHaveLength(1);
      await revokeRequest(request.id, { reason: "Test done" }, await contextFor("adm01@contoso.com", now));
      const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
      await endAccessNow(job!, now);
      expect(await heldAt("arm-pim", id)).toEqual([]);
    } finally {
      await user.remove();
    }
  });

  // Guards against reading PIM's instances right after an assignment (which show it only once
  // replicated) and taking its absence for a failure or for drift.
  it("tolerates a new PIM for Groups assignment that the instances show only later", async () => {
    await setEmulatorSettings({ pimReplicationDelaySeconds: 90 });
    const principalId = demoUser("p01@contoso.com").id;
    const target: GrantTarget = {
      principalId,
      grant: { kind: "entraPimGroup", groupId: NODE_ACCESS_GROUP },
      clusterResourceId: CLUSTER_SCOPE,
      nodeResourceGroupId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/MC_rg-aks-dev_aks-pim-test_westeurope`,
    };
    const now = new Date();
    const window = { startAt: now, endAt: minutes(now, 60), justification: "Replication", requestId: randomUUID() };
    try {
      const applied = await entraPimGroupProvider.apply(target, window);
      expect(await entraPimGroupProvider.read(target)).toEqual({ isActive: false });
      // Applying again (a retried job) finds the schedule, not a conflict it cannot explain.
      expect(await entraPimGroupProvider.apply(target, window)).toEqual(applied);
      expect(await entraPimGroupProvider.extend(target, { ...window, endAt: minutes(now, 90) })).toMatchObject({
        enforcedEndAt: minutes(now, 90),
      });

      // The reconciler does not call an applied grant missing while it settles.
      const request = await requestAccess(
        { cluster: "aks-pim-test", role: "pim-group", duration: "PT1H", justification: "Replication" },
        await contextFor("n02@contoso.com", now),
      );
      await takeQueuedJobs(QUEUES.activate, request.id);
      expect(await activateRequest(request.id, now)).toBe("active");
      const run = await reconcileAccess(minutes(now, 1));
      expect(run.skipped).toBe(0);
      const findings = await db.driftFinding.findMany({
        where: {
          resolvedAt: null,
          principalId: demoUser("n02@contoso.com").id,
          bindingKey: { contains: NODE_ACCESS_GROUP },
        },
      });
      expect(findings).toEqual([]);

      await setEmulatorClock(90);
      expect(await entraPimGroupProvider.read(target)).toMatchObject({ isActive: true, endAt: minutes(now, 90) });
      await revokeRequest(request.id, { reason: "Test done" }, await contextFor("adm01@contoso.com", now));
      const [job] = await takeQueuedJobs<DeactivateJob>(QUEUES.deactivate, request.id);
      await endAccessNow(job!, now);
    } finally {
      await entraPimGroupProvider.remove(target, { requestId: window.requestId, justification: "Test done" });
    }
  });
});
