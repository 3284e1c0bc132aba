import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireDueAccess } from "@/lib/access/expire-access";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import type { ServedCall } from "../../emulator/calls";
import { emulatorCalls, emulatorState, setThrottling, throttlingState, waitFor } from "../support/emulator-state";
import { GRANT_KINDS, seedMassGrants, type GrantKind } from "../support/mass-grants";

/**
 * Mass expiry with Azure's throttling on: 200 grants ending together are each removed exactly once,
 * none before its end, however many sweeps run and however often the services answer 429. Guards
 * against sweeps that share a due set without claiming it (the same removal sent twice), against
 * throttled removals that are dropped, and against PIM assignments removed by hand although the
 * service ends them itself.
 */

/** Small budgets, so that 200 grants meet throttling (emulator/throttling.ts has Azure's own). */
const BUDGETS = {
  armReads: { capacity: 5, refillPerSecond: 2 },
  armWrites: { capacity: 5, refillPerSecond: 2 },
  armDeletes: { capacity: 5, refillPerSecond: 2 },
  graphWrites: { capacity: 5, refillPerSecond: 2 },
};

/** The call that removes a grant of each kind, as the emulator logs it. */
const REMOVAL: Record<GrantKind, (call: ServedCall) => boolean> = {
  armRoleAssignment: (c) => c.method === "DELETE" && c.path.endsWith("/roleAssignments/{id}"),
  entraGroup: (c) => c.method === "DELETE" && c.path.endsWith("/members/{id}/$ref"),
  armPim: (c) => c.path.includes("roleAssignmentScheduleRequests") && c.action === "AdminRemove",
  entraPimGroup: (c) => c.path.endsWith("/assignmentScheduleRequests") && c.action === "adminRemove",
};

beforeAll(async () => {
  await startJobs();
});

afterAll(async () => {
  await setThrottling({ enabled: false });
});

describe("mass expiry", () => {
  it("removes 200 grants that end together exactly once each, none before its end, throttled", async () => {
    const endAt = new Date(Date.now() + 45_000);
    const grants = await seedMassGrants({ count: 200, kinds: GRANT_KINDS, endAt: () => endAt });
    // The grants must still be running once made, or the test proves nothing about "none early".
    expect(Date.now()).toBeLessThan(endAt.getTime());
    await emulatorCalls({ clear: true });
    await setThrottling({ enabled: true, budgets: BUDGETS });
    // As activations queue them: a sweep at each grant's end; and two more replicas sweep at once.
    const boss = await getBoss();
    await boss.insert(grants.map(() => ({ name: QUEUES.expireAccess, data: {}, startAfter: endAt })));
    await sleep(Math.max(0, endAt.getTime() - Date.now()));
    await Promise.all([expireDueAccess(new Date()), expireDueAccess(new Date())]);
    await waitFor(
      "every grant ended in the ledger",
      () => db.grant.count({ where: { id: { in: grants.map((g) => g.id) }, status: "active" } }),
      (active) => active === 0,
      180_000,
    );

    const { calls } = await emulatorCalls();
    const { throttled } = await throttlingState();
    for (const grant of grants) {
      const removals = calls.filter((c) => c.principalId === grant.principalId && REMOVAL[grant.kind](c));
      if (grant.kind === "entraPimGroup" || grant.kind === "armPim") {
        // Ended by the service at its end: read, never removed.
        expect(removals, `${grant.kind} of ${grant.principalId}`).toHaveLength(0);
      } else {
        expect(removals, `${grant.kind} of ${grant.principalId}`).toHaveLength(1);
        expect(new Date(removals[0]!.at).getTime()).toBeGreaterThanOrEqual(grant.endAt.getTime());
        expect(removals[0]!.status).toBeLessThan(300);
      }
    }
    const state = await emulatorState();
    const principals = new Set(grants.map((g) => g.principalId));
    expect(state.roleAssignments.filter((a) => principals.has(a.principalId))).toEqual([]);
    expect(state.pimGroupAssignments.filter((a) => principals.has(a.principalId))).toEqual([]);
    expect(state.groups.flatMap((g) => g.members).filter((m) => principals.has(m))).toEqual([]);
    const ended = await db.grant.findMany({ where: { id: { in: grants.map((g) => g.id) } } });
    for (const grant of ended) expect(grant.endedAt!.getTime()).toBeGreaterThanOrEqual(grant.endAt.getTime());
    // Throttling really happened, on both services.
    expect(throttled.armDeletes).toBeGreaterThan(0);
    expect(throttled.graphWrites).toBeGreaterThan(0);
  }, 300_000);
});
