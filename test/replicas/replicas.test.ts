/**
 * Several replicas of the production build against one PostgreSQL, as the chart runs them: 2 web
 * (JOBS_IN_WEB=false) + 2 workers. Guards against work done twice or lost when processes share it
 * (a grant applied or removed twice, a cron job per process, a mail per process), against a worker's
 * SIGTERM losing or repeating the job in hand, and against a database restart stranding requests or
 * leaving probes failing. Run `npm run build` first: this suite starts .next/standalone, never builds.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, isRunning, logTail } from "./app-processes";
import { removalJobs, requestRows, requestsOf } from "./checks";
import { api, signIn } from "./clients";
import { startPgBouncer, type PgBouncer } from "./database";
import { cronTicks, notifications, providerWrites } from "./exactly-once";
import { startReplicaSet, stillRunning, type ReplicaSet } from "./replica-set";
import { startReplicaStack, type ReplicaStack } from "./stack";
import { fileSelfActivating, probeReadiness, readinessThrough } from "./under-load";
import { approveAndEnd } from "./workload";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const figure = (line: string) => console.log(`[replicas] ${line}`);

let stack: ReplicaStack;
let hasFailed = false;

/** Every process the suite started (web, worker, PgBouncer): none may outlive it. */
const started: number[] = [];
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  assertBuilt();
  stack = await startReplicaStack(300);
});

afterEach(({ task }) => {
  if (task.result?.state === "fail") hasFailed = true;
});

afterAll(async () => {
  // REPLICAS_KEEP_LOGS=1 keeps them after a passing run too.
  await stack?.stop({ keepLogs: hasFailed || process.env.REPLICAS_KEEP_LOGS === "1" });
  const leftovers = started.filter((pid) => isAlive(pid));
  expect(leftovers, "processes left running").toEqual([]);
});

async function stopReplicas(replicas: ReplicaSet | undefined, label: string) {
  if (!replicas) return;
  const exits = await replicas.stop();
  figure(`${label}: SIGTERM at the end: ${exits.map((e) => `${e.name} exited ${e.code ?? e.signal}`).join(", ")}`);
}

/** Files, approves and ends the requests of `count` new people, then checks that each effect happened once. */
async function approveAndEndExactlyOnce(replicas: ReplicaSet, count: number, label: string) {
  const people = stack.people.take(count);
  const decider = stack.approvers.find((person) => person.userPrincipalName.startsWith("p01@"))!;
  const tokens = await signIn(stack.env, [...people, decider]);
  await stack.emulator.resetCalls();
  const run = await approveAndEnd({
    db: stack.db,
    webs: replicas.webs,
    people,
    tokens,
    approverToken: tokens.get(decider.id)!,
    expiringCount: count / 2,
    timeoutMs: 280_000,
  });

  const writes = providerWrites(run, await stack.emulator.calls());
  expect(writes.mismatches, "people whose grants were not applied and removed exactly once").toEqual([]);
  const state = await stack.emulator.state();
  const mail = notifications(run, state, stack.approvers, decider);
  expect({ missing: mail.missing, extra: mail.extra }).toEqual({ missing: [], extra: [] });
  const ids = new Set(people.map((person) => person.id));
  expect(state.pimGroupAssignments.filter((a) => ids.has(a.principalId))).toEqual([]);
  expect(state.roleAssignments.filter((a) => ids.has(a.principalId))).toEqual([]);
  // At least one whole minute with every replica up, so that there is a cron tick to count.
  await sleep(Math.ceil(replicas.readyAt / 60_000) * 60_000 + 61_000 - Date.now());
  const cron = await cronTicks(stack.db, new Date(replicas.readyAt), new Date());
  const removals = await removalJobs(stack.db, [...run.requests.keys()], new Date(run.startedAt));
  expect(cron.problems).toEqual([]);
  expect(stillRunning(replicas)).toHaveLength(replicas.all.length);

  const after = (at: number) => `${seconds(at - run.startedAt)} s`;
  figure(
    `${label}: ${count} requests from ${count} people (${run.expiring.size} run to their end, the others ended by their holder) ` +
      `over ${replicas.webs.length} web + ${replicas.workers.length} workers: filed and approved after ${after(run.approvedAt)}, ` +
      `all active after ${after(run.allActiveAt)}, ` +
      `all ended and every queue drained after ${after(run.allEndedAt)}`,
  );
  const { totals } = writes;
  figure(
    `${label}: provider writes counted: PIM adminAssign ${totals.assign}, adminRemove ${totals.remove}, ` +
      `ARM roleAssignments PUT ${totals.put}, DELETE ${totals.delete}, revokeSignInSessions ${totals.revokeSessions}; ` +
      `${mail.mails} mails; ${cron.ticks} cron ticks with every replica up, one job each (time-out-requests, notify-follow-up)`,
  );
  figure(
    `${label}: removals shared by ${removals.deactivate} deactivate jobs (${removals.retried} retried: a sweep held their ` +
      `grants) and ${removals.sweeps} expiry sweeps`,
  );
}

describe("[REPLICAS] 2 web + 2 workers on one PostgreSQL", () => {
  let replicas: ReplicaSet;

  beforeAll(async () => {
    replicas = await startReplicaSet(stack.env, stack.runDir, { label: "direct", webs: 2, workers: 2 });
    started.push(...replicas.all.map((app) => app.child.pid!));
  });

  afterAll(async () => {
    await stopReplicas(replicas, "direct");
  });

  it("200 requests approved and ended: every grant applied once and removed once, one cron job per tick, one mail per notification", async () => {
    await approveAndEndExactlyOnce(replicas, 200, "direct");
  });

  it("PostgreSQL restarted while requests are filed: every accepted request becomes active, readiness goes 503 and recovers by itself, no process exits", async () => {
    const people = stack.people.take(50);
    const tokens = await signIn(stack.env, people);
    const probes = probeReadiness(replicas.all);
    const filing = fileSelfActivating(replicas.webs, people, tokens);
    await sleep(2_000);
    const restart = await stack.database.restart(3_000);
    const recoveredBy = Date.now() + 90_000;
    while (!probes.allReadySince(restart.startedAt) && Date.now() < recoveredBy) await sleep(250);
    await sleep(2_000);
    const { accepted, refused } = await filing.stop();
    const timelines = await probes.stop();
    writeFileSync(
      path.join(stack.runDir, "restart-probes.json"),
      JSON.stringify({ restart, probes: [...timelines].map(([app, seen]) => ({ name: app.name, seen })) }),
    );

    // Every process said 503 while the database was away, and 200 again without anyone restarting it.
    const readiness = replicas.all.map((app) => ({
      name: app.name,
      ...readinessThrough(probes.timeline(app), restart),
    }));
    expect(readiness.map(({ name, saw503, noAnswer, final }) => ({ name, saw503, noAnswer, final }))).toEqual(
      replicas.all.map((app) => ({ name: app.name, saw503: true, noAnswer: 0, final: 200 })),
    );
    expect(stillRunning(replicas)).toHaveLength(replicas.all.length);

    // Nothing lost: every request accepted with 201 becomes active, and none of theirs is stuck half-way.
    const deadline = Date.now() + 60_000;
    let rows = await requestRows(stack.db, accepted);
    while ([...rows.values()].some((row) => row.status !== "active") && Date.now() < deadline) {
      await sleep(500);
      rows = await requestRows(stack.db, accepted);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(rows.size).toBe(accepted.length);
    expect([...rows.values()].filter((row) => row.status !== "active")).toEqual([]);
    const filed = await requestsOf(
      stack.db,
      people.map((person) => person.id),
    );
    expect(filed.filter((row) => row.status !== "active")).toEqual([]);

    // Refused while the database was away: 503 (retry shortly), never a 500 that reads like a bug.
    expect([...new Set(refused.map((r) => r.status))]).toEqual(refused.length > 0 ? [503] : []);
    const refusedWhileDown = refused.filter((r) => r.at <= restart.startedAt).length;
    figure(
      `PostgreSQL restart: down ${seconds(restart.startedAt - restart.stoppedAt)} s while requests were filed; ` +
        `${accepted.length} accepted (201), all active; ${refusedWhileDown} refused while it was down and ` +
        `${refused.length - refusedWhileDown} after (HTTP ${[...new Set(refused.map((r) => r.status))].join(", ") || "-"}); ` +
        `${filed.length - accepted.length} committed without a 201`,
    );
    figure(
      `PostgreSQL restart: readiness back to 200 by itself at most ` +
        `${seconds(Math.max(...readiness.map((r) => r.backAfterMs ?? Infinity)))} s after the server was back (` +
        readiness
          .map(
            (r) => `${r.name} not ready ${seconds(r.downFromMs ?? NaN)}–${seconds(r.downToMs ?? NaN)} s after the stop`,
          )
          .join("; ") +
        "); no process exited",
    );
  });

  it("a worker stopped with SIGTERM while a provider call is in flight hands its job back: active within 60 s, one assignment, exit 0", async () => {
    const people = stack.people.take(2);
    const tokens = await signIn(stack.env, people);
    await stack.emulator.resetCalls();
    // One activation in each worker, waiting 20 s on PIM (SHUTDOWN_TIMEOUT_SECONDS is 5): the second
    // request is filed once the first one's call is in flight, so the other worker takes it.
    const ids: string[] = [];
    for (const [i, person] of people.entries()) {
      await stack.emulator.addFault({
        path: "/assignmentScheduleRequests$",
        method: "POST",
        count: 1,
        latencyMs: 20_000,
      });
      const answer = await api(replicas.webs[i]!.url!, tokens.get(person.id)!, "/requests", {
        cluster: "aks-dev-weu",
        role: "admin",
        duration: "PT1H",
        justification: "replicas test: a worker stops mid-call",
      });
      expect(answer.status).toBe(201);
      ids.push(answer.body.id);
      const inFlightBy = Date.now() + 30_000;
      while ((await stack.emulator.faults()).length > 0 && Date.now() < inFlightBy) await sleep(100);
      expect(await stack.emulator.faults(), "the PIM call in flight").toEqual([]);
    }

    const worker = replicas.workers[0]!;
    const sigtermAt = Date.now();
    process.kill(worker.child.pid!, "SIGTERM");
    const exit = await Promise.race([worker.exited, sleep(30_000).then(() => "still running")]);
    const exitedAfter = Date.now() - sigtermAt;
    expect(exit, logTail(worker)).toEqual({ code: 0, signal: null });

    let rows = await requestRows(stack.db, ids);
    while ([...rows.values()].some((row) => row.status !== "active") && Date.now() < sigtermAt + 60_000) {
      await sleep(250);
      rows = await requestRows(stack.db, ids);
    }
    const activeAfter = Math.max(
      ...[...rows.values()].map((row) => (row.activatedAt?.getTime() ?? Infinity) - sigtermAt),
    );
    expect([...rows.values()].map((row) => row.status)).toEqual(["active", "active"]);
    expect(activeAfter).toBeLessThan(60_000);

    // One activation finished in the worker that kept running; the other was handed back and retried.
    const jobs = await stack.db.query<{ request_id: string; retry_count: number; state: string }>(
      `SELECT data->>'requestId' AS request_id, retry_count, state FROM pgboss.job
        WHERE name = 'activate' AND data->>'requestId' = ANY($1) ORDER BY retry_count`,
      [ids],
    );
    expect(jobs.rows.map(({ retry_count, state }) => ({ retry_count, state }))).toEqual([
      { retry_count: 0, state: "completed" },
      { retry_count: 1, state: "completed" },
    ]);
    const handedBack = rows.get(jobs.rows[1]!.request_id)!.activatedAt!.getTime() - sigtermAt;

    const state = await stack.emulator.state();
    const calls = await stack.emulator.calls();
    for (const person of people) {
      expect(state.pimGroupAssignments.filter((a) => a.principalId === person.id)).toHaveLength(1);
      expect(state.roleAssignments.filter((a) => a.principalId === person.id)).toHaveLength(1);
    }
    const assignCalls = calls.filter((call) => call.action === "adminAssign").length;
    expect(replicas.all.filter((app) => app !== worker && !isRunning(app))).toEqual([]);
    figure(
      `SIGTERM during a 20 s PIM call: the worker exited 0 after ${seconds(exitedAfter)} s; its job, handed back, ` +
        `was active ${seconds(handedBack)} s after the SIGTERM (both by ${seconds(activeAfter)} s); ` +
        `${assignCalls} adminAssign calls served for 2 requests, one PIM assignment and one role assignment each`,
    );
  });
});

describe("[REPLICAS] 2 web + 2 workers through PgBouncer in transaction mode", () => {
  let bouncer: PgBouncer;
  let replicas: ReplicaSet;

  beforeAll(async () => {
    bouncer = await startPgBouncer(stack.database.url, stack.runDir);
    started.push(bouncer.process.pid!);
    // The app's processes go through PgBouncer; the migration step (already run) went direct, and so
    // does each process's LISTEN (live dashboard, workers woken by queued jobs), as the chart has it.
    const env = { ...stack.env, DATABASE_URL: bouncer.url, DATABASE_LISTEN_URL: stack.database.url };
    replicas = await startReplicaSet(env, stack.runDir, {
      label: "pgbouncer",
      webs: 2,
      workers: 2,
    });
    started.push(...replicas.all.map((app) => app.child.pid!));
  });

  afterAll(async () => {
    await stopReplicas(replicas, "pgbouncer");
    await bouncer?.stop();
  });

  it("40 requests approved and ended: every grant applied once and removed once, one cron job per tick, one mail per notification", async () => {
    await approveAndEndExactlyOnce(replicas, 40, "pgbouncer");
  });
});
