import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Short retries and a short job timeout, so that failures and dead processes play out in seconds.
// Set before the app's modules read their configuration (vi.hoisted runs before the imports).
const JOB_ENV = vi.hoisted(() => {
  const overrides = { JOB_RETRY_LIMIT: "2", JOB_RETRY_DELAY_SECONDS: "1", JOB_TIMEOUT_SECONDS: "5" };
  Object.assign(process.env, overrides);
  return overrides;
});

import { activateRequest } from "@/lib/access/activate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { retryActivation } from "@/lib/access/retry-activation";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { ROOT } from "../../scripts/lib/paths";
import { adminAccessOf, injectFault, waitFor } from "../support/emulator-state";
import { takeQueuedJobs, useQueueSettings } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * The background jobs against failure: a process that dies mid-activation, an app that was down
 * when access ended, a service that keeps answering 500 or throttles (expiry on time, in real
 * time, is in expiry-on-time.test.ts).
 */

const devAdmin = { cluster: "aks-dev-weu", role: "admin", justification: "Resilience check" };
const statusOf = async (id: string) => (await db.accessRequest.findUniqueOrThrow({ where: { id } })).status;
const PIM_REQUESTS = "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests";

/** Each service's answers to a request's provider calls, in order: a role's grants are applied side by side. */
async function callStatusesOf(requestId: string) {
  const calls = await db.auditEvent.findMany({ where: { requestId, type: "provider.call" }, orderBy: { seq: "asc" } });
  const of = (service: string) =>
    calls
      .map((c) => c.data as { service: string; status: number })
      .filter((c) => c.service === service)
      .map((c) => c.status);
  return { graph: of("graph"), arm: of("arm") };
}

function startWorker(): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...JOB_ENV },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("worker running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return { child, ready };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()));

beforeAll(async () => {
  await useQueueSettings(JOB_ENV);
});

afterAll(async () => {
  await injectFault();
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
});

describe("jobs that survive failures", () => {
  it("activates exactly once when the worker dies between the assignment and recording it", async () => {
    const first = startWorker();
    await first.ready;
    // Entra makes the PIM assignment, then holds its answer: the worker is killed while it waits.
    await injectFault({ path: PIM_REQUESTS, method: "POST", count: 1, latencyMs: 60_000, afterHandling: true });
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com"));
    await waitFor(
      "the PIM assignment",
      () => adminAccessOf("n01@contoso.com", "aks-dev-weu"),
      (a) => a.pim.length > 0,
    );
    first.child.kill("SIGKILL");
    await exited(first.child);
    expect(await statusOf(request.id)).toBe("activating");
    await injectFault();

    const second = startWorker();
    try {
      await second.ready;
      // pg-boss notices the dead worker's job after JOB_TIMEOUT_SECONDS and hands it out again.
      await waitFor(
        "the activation",
        () => statusOf(request.id),
        (s) => s === "active",
        45_000,
      );
    } finally {
      second.child.kill("SIGTERM");
      await exited(second.child);
    }
    const access = await adminAccessOf("n01@contoso.com", "aks-dev-weu");
    expect(access.pim).toHaveLength(1);
    expect(access.rbac).toHaveLength(1);
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 90_000);

  it("ends access whose end passed while the app was down, as soon as the jobs start", async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const request = await requestAccess(
      { ...devAdmin, duration: "PT1H" },
      await contextFor("n02@contoso.com", twoHoursAgo),
    );
    await takeQueuedJobs(QUEUES.activate, request.id);
    expect(await activateRequest(request.id, twoHoursAgo)).toBe("active");
    // PIM ended its own part at the end; the role assignment is ours to remove.
    expect((await adminAccessOf("n02@contoso.com", "aks-dev-weu")).rbac).toHaveLength(1);

    await startJobs();
    await waitFor(
      "the expiry",
      () => statusOf(request.id),
      (s) => s === "expired",
      15_000,
    );
    await waitFor(
      "the removal",
      () => adminAccessOf("n02@contoso.com", "aks-dev-weu"),
      (a) => a.rbac.length === 0,
      15_000,
    );
  }, 40_000);

  it("fails an activation after a storm of 500s with the service's words, and an admin's retry applies it", async () => {
    await injectFault({ path: PIM_REQUESTS, method: "POST", count: 100, status: 500 });
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com"));
    try {
      await waitFor(
        "the failure",
        () => statusOf(request.id),
        (s) => s === "failed",
        30_000,
      );
    } finally {
      await injectFault(); // a failure here must not leave the storm to the tests after it
    }
    const failed = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(failed.failureReason).toMatch(/kept failing through every retry.*The last answer was: .*Injected fault/s);
    // The role assignment, applied beside the failing PIM calls, is removed right after the failure commits.
    await waitFor(
      "nothing left applied",
      () => adminAccessOf("n01@contoso.com", "aks-dev-weu"),
      (access) => access.pim.length === 0 && access.rbac.length === 0,
      10_000,
    );
    const attempts = await db.auditEvent.count({
      where: {
        requestId: request.id,
        type: "provider.call",
        AND: [{ data: { path: ["status"], equals: 500 } }, { data: { path: ["operation"], equals: "apply" } }],
      },
    });
    expect(attempts).toBe(3); // the first try and JOB_RETRY_LIMIT retries
    await retryActivation(request.id, await contextFor("adm01@contoso.com"));
    await waitFor(
      "the retried activation",
      () => statusOf(request.id),
      (s) => s === "active",
      20_000,
    );
    const access = await adminAccessOf("n01@contoso.com", "aks-dev-weu");
    expect(access.pim).toHaveLength(1);
    expect(access.rbac).toHaveLength(1);
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 60_000);

  it("waits out Retry-After: two 429s, then the assignment", async () => {
    await injectFault({ path: PIM_REQUESTS, method: "POST", count: 2, status: 429, retryAfter: 1 });
    const started = Date.now();
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n02@contoso.com"));
    await waitFor(
      "the activation",
      () => statusOf(request.id),
      (s) => s === "active",
      20_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(await callStatusesOf(request.id)).toEqual({ graph: [429, 429, 201], arm: [201] });
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 30_000);

  it("keeps throttled work going past the SDK's own retries, as long as the service asks", async () => {
    // Five 429s outlast the Graph client's three retries; the job layer waits and calls again.
    await injectFault({ path: PIM_REQUESTS, method: "POST", count: 5, status: 429, retryAfter: 1 });
    const request = await requestAccess({ ...devAdmin, duration: "PT1H" }, await contextFor("n01@contoso.com"));
    await waitFor(
      "the activation",
      () => statusOf(request.id),
      (s) => s === "active",
      30_000,
    );
    expect(await callStatusesOf(request.id)).toEqual({ graph: [429, 429, 429, 429, 429, 201], arm: [201] });
    expect(await statusOf(request.id)).toBe("active");
    await expireDueAccess(new Date(Date.now() + 61 * 60_000));
  }, 40_000);
});
