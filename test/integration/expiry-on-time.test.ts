import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The job settings of job-resilience.test.ts, whose test this was: it waits out a real minute, so it
// runs in a file of its own, beside the others. Set before the app's modules read their configuration.
const JOB_ENV = vi.hoisted(() => {
  const overrides = { JOB_RETRY_LIMIT: "2", JOB_RETRY_DELAY_SECONDS: "1", JOB_TIMEOUT_SECONDS: "5" };
  Object.assign(process.env, overrides);
  return overrides;
});

import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { scopeOf, type GrantTarget } from "@/lib/cloud/access-provider";
import { db } from "@/lib/db/client";
import { startJobs } from "@/lib/jobs/start-jobs";
import { emulatorState, waitFor } from "../support/emulator-state";
import { useQueueSettings } from "../support/jobs";
import { contextFor } from "../support/users";

/** Expiry on time, in real time: the background jobs remove each grant soon after its end. */

const devAdmin = { cluster: "aks-dev-weu", role: "admin", justification: "Resilience check" };
const statusOf = async (id: string) => (await db.accessRequest.findUniqueOrThrow({ where: { id } })).status;

beforeAll(async () => {
  await useQueueSettings(JOB_ENV);
  await startJobs();
});

afterAll(async () => {
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
});

describe("expiry on time", () => {
  it("removes every grant within 30 seconds of its end", async () => {
    const requests = await Promise.all([
      requestAccess({ ...devAdmin, duration: "PT1M" }, await contextFor("n01@contoso.com")),
      requestAccess(
        { cluster: "aks-dev-weu", role: "node-access", duration: "PT1M", justification: "Short node check" },
        await contextFor("n02@contoso.com"),
      ),
    ]);
    for (const request of requests)
      await waitFor(
        "activation",
        () => statusOf(request.id),
        (s) => s === "active",
      );
    const grants = await db.grant.findMany({
      where: { coverage: { some: { requestId: { in: requests.map((r) => r.id) } } } },
    });
    expect(grants).toHaveLength(4);
    const removedAt = new Map<string, number>();
    // Matched on scope too: the same person may hold the same role elsewhere.
    const isPresent = (state: Awaited<ReturnType<typeof emulatorState>>, target: GrantTarget) => {
      const { grant, principalId } = target;
      if ("groupId" in grant) {
        return state.pimGroupAssignments.some((a) => a.groupId === grant.groupId && a.principalId === principalId);
      }
      return state.roleAssignments.some(
        (a) =>
          a.principalId === principalId &&
          a.scope.toLowerCase() === scopeOf(target).toLowerCase() &&
          a.roleDefinitionId.toLowerCase().endsWith(grant.roleDefinitionId),
      );
    };
    // Each grant's removal is timed as the emulator's state shows it.
    await waitFor(
      "every grant's removal",
      async () => {
        const state = await emulatorState();
        for (const grant of grants) {
          if (!removedAt.has(grant.id) && !isPresent(state, grant.target as unknown as GrantTarget)) {
            removedAt.set(grant.id, Date.now());
          }
        }
        return removedAt.size;
      },
      (removed) => removed === grants.length,
      100_000,
    );
    const lateness = grants.map((g) => ((removedAt.get(g.id) ?? Infinity) - g.endAt.getTime()) / 1000);
    console.log(`grant removal after its end (s): ${lateness.map((s) => s.toFixed(1)).join(", ")}`);
    for (const seconds of lateness) expect(seconds).toBeLessThanOrEqual(30);
  }, 120_000);
});
