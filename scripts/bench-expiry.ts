/* `npm run bench:expiry [-- --grants N] [-- --kinds armRoleAssignment,entraGroup,armPim,entraPimGroup]`:
 * N grants (default 2,000, the four kinds in turn) ending within the same minute, against the emulator
 * with Azure's throttling budgets on and 5% of Graph and ARM calls answered 500. The grants are made
 * directly (a person each in the emulator, the access applied through the real providers, the ledger
 * rows written as an activation writes them, and the sweep each activation queues at its end); their
 * removal is the app's own: the expiry job in a worker process (scripts/worker.ts). Prints per kind the
 * calls, retries, 429s, the removal lag after each grant's end, late and missed grants, and the floor
 * Azure's budgets set. Figures, not assertions; everything it starts, it stops. */
import type { ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServedCall } from "../emulator/calls";
import { AZURE_BUDGETS, type BucketSpec } from "../emulator/throttling";
import { startTestStack } from "../test/support/stack";
import type { GrantKind, MassGrant } from "../test/support/mass-grants";
import { ROOT } from "./lib/paths";
import { start, stop } from "./lib/processes";
import { argument, percentile } from "./bench/common";

// The app's modules (mass-grants.ts among them) read their configuration at import: only after the stack is up.
const GRANT_KINDS: readonly GrantKind[] = ["armRoleAssignment", "entraGroup", "armPim", "entraPimGroup"];
const GRANTS = Number(argument("grants") ?? 2_000);
const KINDS = (argument("kinds")?.split(",") ?? [...GRANT_KINDS]) as GrantKind[];
for (const kind of KINDS)
  if (!GRANT_KINDS.includes(kind)) throw new Error(`unknown kind ${kind}: ${GRANT_KINDS.join(", ")}`);
/** The worker's database pool: removals run (pool - 2) / 2 per service, at most 8 (lib/access/expire-access.ts). */
const WORKER_POOL = argument("pool") ?? "20";
/** The worker's log (errors only): why a removal was tried twice, if one was. */
const WORKER_LOG = path.join(ROOT, ".data", "bench-expiry-worker.log");
/** How long the run may take after the last end before a grant counts as missed. */
const GRACE_MS = 180_000;
const INJECTED_5XX = 0.05;

const isPim = (kind: GrantKind) => kind === "armPim" || kind === "entraPimGroup";
/** The call that removes a grant of each kind, as the emulator logs it. */
const REMOVAL: Record<GrantKind, (call: ServedCall) => boolean> = {
  armRoleAssignment: (c) => c.method === "DELETE" && c.path.endsWith("/roleAssignments/{id}"),
  entraGroup: (c) => c.method === "DELETE" && c.path.endsWith("/members/{id}/$ref"),
  armPim: (c) => c.path.includes("roleAssignmentScheduleRequests") && c.action === "AdminRemove",
  entraPimGroup: (c) => c.path.endsWith("/assignmentScheduleRequests") && c.action === "adminRemove",
};
/** The budget a removal of each kind spends: a DELETE, a Graph write, or (PIM, verified) a read. */
const BUDGET_OF: Record<GrantKind, BucketSpec | null> = {
  armRoleAssignment: AZURE_BUDGETS.armDeletes,
  entraGroup: AZURE_BUDGETS.graphWrites,
  armPim: AZURE_BUDGETS.armReads,
  entraPimGroup: null,
};

const s = (ms: number) => (Number.isNaN(ms) ? "-" : `${(ms / 1000).toFixed(1)} s`);
const mark = (ok: boolean) => (ok ? "✓" : "✗");

/** When the last of these ends could be served at best, one call each from a full bucket. */
function floorFinish(ends: number[], budget: BucketSpec | null) {
  const sorted = [...ends].sort((a, b) => a - b);
  if (!budget || sorted.length === 0) return sorted.at(-1) ?? 0;
  let tokens = budget.capacity;
  let at = sorted[0]!;
  for (const end of sorted) {
    const next = Math.max(at, end);
    tokens = Math.min(budget.capacity, tokens + ((next - at) / 1000) * budget.refillPerSecond);
    at = next;
    if (tokens < 1) {
      at += ((1 - tokens) / budget.refillPerSecond) * 1000;
      tokens = 1;
    }
    tokens -= 1;
  }
  return at;
}

const stack = await startTestStack();
let worker: ChildProcess | undefined;
try {
  Object.assign(process.env, stack.env, { LOG_LEVEL: "error" });
  const { db } = await import("../lib/db/client");
  const { getBoss } = await import("../lib/jobs/boss");
  const { QUEUES } = await import("../lib/jobs/queues");
  const { seedMassGrants } = await import("../test/support/mass-grants");
  const emulator = (path: string, method = "GET", body?: object) =>
    fetch(`${stack.emulatorUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body && JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);

  // The app's worker, as deployed: it runs the expiry job (cron, the sweep at each end, retries).
  worker = start(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, LOG_LEVEL: "error", DATABASE_POOL_SIZE: WORKER_POOL },
    stdio: ["ignore", openSync(WORKER_LOG, "w"), "inherit"],
  });
  // Ends spread over one minute, starting once the grants can all be made (about 25 ms each here).
  const firstEnd = Date.now() + 30_000 + GRANTS * 25;
  console.log(
    `Making ${GRANTS} grants (${KINDS.join(", ")}), ending between ${new Date(firstEnd).toISOString()} and a minute later…`,
  );
  let started = performance.now();
  const grants: MassGrant[] = await seedMassGrants({
    count: GRANTS,
    kinds: KINDS,
    endAt: (i) => new Date(firstEnd + Math.floor((i * 60_000) / GRANTS)),
  });
  console.log(`made in ${s(performance.now() - started)}`);
  if (Date.now() > firstEnd) console.log("! making them outlasted the first end: lag figures include that delay");

  // As each activation queues it: a sweep at each grant's end.
  const boss = await getBoss();
  await boss.insert(grants.map((g) => ({ name: QUEUES.expireAccess, data: {}, startAfter: g.endAt })));
  await emulator("/_emulator/calls", "DELETE");
  await emulator("/_emulator/throttling", "PUT", { enabled: true });
  await emulator("/_emulator/faults", "POST", { path: ".*", count: 1e9, status: 500, probability: INJECTED_5XX });
  const since = new Date();
  const ids = grants.map((g) => g.id);
  const lastEnd = Math.max(...grants.map((g) => g.endAt.getTime()));
  started = performance.now();
  for (;;) {
    const active = await db.grant.count({ where: { id: { in: ids }, status: "active" } });
    if (active === 0 || Date.now() > lastEnd + GRACE_MS) break;
    await sleep(1_000);
  }
  await emulator("/_emulator/faults", "DELETE");
  const throttling = (await emulator("/_emulator/throttling")) as { throttled: Record<string, number> };
  const { calls } = (await emulator("/_emulator/calls")) as unknown as { calls: ServedCall[] };
  const state = (await emulator("/_emulator/state")) as unknown as {
    roleAssignments: Array<{ principalId: string }>;
    pimGroupAssignments: Array<{ principalId: string }>;
    groups: Array<{ members: string[] }>;
  };
  const stillHeld = new Set([
    ...state.roleAssignments.map((a) => a.principalId),
    ...state.pimGroupAssignments.map((a) => a.principalId),
    ...state.groups.flatMap((g) => g.members),
  ]);
  const rows = await db.grant.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, endedAt: true },
  });
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  const audited = await db.auditEvent.findMany({
    where: { type: "provider.call", occurredAt: { gte: since } },
    select: { data: true },
  });

  console.log(`\nload average ${(await import("node:fs")).readFileSync("/proc/loadavg", "utf8").trim()}`);
  console.log(`worker database pool ${WORKER_POOL} (--pool N); its errors in ${path.relative(ROOT, WORKER_LOG)}`);
  console.log(`emulator 429s by budget: ${JSON.stringify(throttling.throttled)}; 5% of calls answered 500`);
  for (const kind of KINDS) {
    const ofKind = grants.filter((g) => g.kind === kind);
    const principals = new Set(ofKind.map((g) => g.principalId));
    const attempts = audited
      .map((e) => e.data as { grantKind?: string; status?: number | null })
      .filter((d) => d.grantKind === kind);
    const throttled = attempts.filter((d) => d.status === 429).length;
    const failed = attempts.filter((d) => d.status === null || d.status === undefined || d.status >= 500).length;
    const removalCalls = calls.filter((c) => c.principalId && principals.has(c.principalId) && REMOVAL[kind](c));
    const removedAt = new Map<string, number>();
    for (const call of removalCalls)
      if ((call.status ?? 500) < 300) removedAt.set(call.principalId!, new Date(call.at).getTime());
    // Job-removed kinds: the emulator's removal call; PIM kinds: the service ends them at their end.
    const lags = ofKind.flatMap((g) => {
      const at = isPim(kind)
        ? stillHeld.has(g.principalId)
          ? undefined
          : g.endAt.getTime()
        : removedAt.get(g.principalId);
      return at === undefined ? [] : [at - g.endAt.getTime()];
    });
    const ledgerLags = ofKind.flatMap((g) => {
      const ended = rowOf.get(g.id)?.endedAt;
      return ended ? [ended.getTime() - g.endAt.getTime()] : [];
    });
    const missed = ofKind.filter((g) => rowOf.get(g.id)?.status !== "ended" || stillHeld.has(g.principalId)).length;
    const late = lags.filter((lag) => lag > 10_000);
    const floor = floorFinish(
      ofKind.map((g) => g.endAt.getTime()),
      BUDGET_OF[kind],
    );
    const finished = isPim(kind)
      ? Math.max(...ofKind.map((g) => g.endAt.getTime()))
      : Math.max(...ofKind.map((g) => removedAt.get(g.principalId) ?? Infinity));
    const kindLastEnd = Math.max(...ofKind.map((g) => g.endAt.getTime()));
    console.log(
      `\n${kind} (${ofKind.length} grants, ${isPim(kind) ? "ended by the service, verified by a read" : "removed by the expiry job"})`,
    );
    console.log(
      `  calls ${attempts.length} (attempts as audited), retries ${throttled + failed} (429s ${throttled}, 5xx/dropped ${failed})`,
    );
    console.log(
      `  removal calls ${removalCalls.length}${isPim(kind) ? ` (goal 0) ${mark(removalCalls.length === 0)}` : ` for ${ofKind.length} grants`}`,
    );
    console.log(
      `  removal lag after each end: p50 ${s(percentile(lags, 50))}, p95 ${s(percentile(lags, 95))}, max ${s(percentile(lags, 100))}`,
    );
    console.log(
      `  ledger marked ended after each end: p50 ${s(percentile(ledgerLags, 50))}, p95 ${s(percentile(ledgerLags, 95))}, max ${s(percentile(ledgerLags, 100))}`,
    );
    console.log(
      `  late (> 10 s after its end): ${late.length}${late.length ? `, by up to ${s(Math.max(...late))}` : ""}`,
    );
    console.log(`  missed ${missed} (goal 0) ${mark(missed === 0)}`);
    const budget = BUDGET_OF[kind];
    console.log(
      `  floor: ${budget ? `${budget.capacity} burst + ${budget.refillPerSecond}/s` : "no budget"} → last removal possible ${s(floor - kindLastEnd)} after the last end`,
    );
    if (!isPim(kind)) {
      const within = finished - floor;
      console.log(
        `  finished ${s(finished - kindLastEnd)} after the last end (goal ≤ floor + 10 s) ${mark(within <= 10_000)}`,
      );
    } else {
      console.log(`  ended on time by the service ${mark(missed === 0)}`);
    }
  }
  console.log(`\nrun took ${s(performance.now() - started)} from the first sweep to the last grant ended`);
} finally {
  await stop(worker);
  await stack.stop();
}
process.exit(0);
