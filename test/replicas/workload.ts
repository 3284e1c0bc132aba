/* The traffic of the scenarios: many people asking for approved access at once, an approver
 * approving each request, and the access ending (at its end, or by its holder) — spread over the
 * web replicas as a load balancer would. */
import type pg from "pg";
import { type AppProcess } from "./app-processes";
import { activeGrantCount, dueJobCount, requestRows } from "./checks";
import { api, inParallel } from "./clients";
import type { Person } from "./tenant";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Workload {
  /** request id → the person who filed it */
  requests: Map<string, Person>;
  /** requests that run to their end (PT1M); the others are ended by their holder */
  expiring: Set<string>;
  startedAt: number;
  /** when every request was filed and approved (the API calls returned) */
  approvedAt: number;
  /** when the last request became active (its `request.activated` audit event) */
  allActiveAt: number;
  allEndedAt: number;
}

export interface WorkloadInput {
  db: Pick<pg.Pool, "query">;
  webs: readonly AppProcess[];
  people: readonly Person[];
  tokens: ReadonlyMap<string, string>;
  approverToken: string;
  /** how many of the requests last one minute and expire; the rest are ended early by their holder */
  expiringCount: number;
  timeoutMs: number;
}

export async function approveAndEnd(input: WorkloadInput): Promise<Workload> {
  const { db, webs, people, tokens } = input;
  const web = (i: number) => webs[i % webs.length]!.url!;
  const requests = new Map<string, Person>();
  const expiring = new Set<string>();
  const startedAt = Date.now();

  // The expiring ones first: they end while the others are still being activated and ended.
  await inParallel(people, 12, async (person, i) => {
    const isExpiring = i < input.expiringCount;
    const filed = await api(web(i), tokens.get(person.id)!, "/requests", {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: isExpiring ? "PT1M" : "PT1H",
      justification: "replicas test: many people at once",
      ticket: `INC${10_000 + i}`,
    });
    if (filed.status !== 201)
      throw new Error(`filing for ${person.userPrincipalName}: ${filed.status} ${JSON.stringify(filed.body)}`);
    const id = filed.body.id as string;
    requests.set(id, person);
    if (isExpiring) expiring.add(id);
    // The approver's call lands on the other replica.
    const approved = await api(web(i + 1), input.approverToken, `/requests/${id}/approve`, {});
    if (approved.status !== 200)
      throw new Error(`approving ${id}: ${approved.status} ${JSON.stringify(approved.body)}`);
  });
  const approvedAt = Date.now();

  const ids = [...requests.keys()];
  const deadline = startedAt + input.timeoutMs;
  const deactivated = new Set<string>();
  let rows: Awaited<ReturnType<typeof requestRows>>;
  for (;;) {
    rows = await requestRows(db, ids);
    const failed = [...rows.values()].filter((row) => row.status === "failed");
    if (failed.length > 0) throw new Error(`${failed.length} activations failed, e.g. ${failed[0]!.id}`);
    // Holders end their access as soon as it is active: its grants fall due while the expiry sweeps
    // of both workers run for the others, and the deactivate jobs and the sweeps share them.
    const toEnd = [...rows.values()].filter(
      (row) => row.status === "active" && !expiring.has(row.id) && !deactivated.has(row.id),
    );
    await inParallel(toEnd, 12, async (row, i) => {
      const ended = await api(web(i), tokens.get(requests.get(row.id)!.id)!, `/requests/${row.id}/deactivate`, {});
      if (ended.status !== 200) throw new Error(`ending ${row.id}: ${ended.status} ${JSON.stringify(ended.body)}`);
      deactivated.add(row.id);
    });
    const isDone = [...rows.values()].every((row) => row.status === (expiring.has(row.id) ? "expired" : "deactivated"));
    if (isDone) break;
    if (Date.now() > deadline) {
      const counts: Record<string, number> = {};
      for (const row of rows.values()) counts[row.status] = (counts[row.status] ?? 0) + 1;
      throw new Error(`not all requests ended within ${input.timeoutMs / 1000} s: ${JSON.stringify(counts)}`);
    }
    await sleep(500);
  }
  const allActiveAt = Math.max(...[...rows.values()].map((row) => row.activatedAt?.getTime() ?? Infinity));

  // Then the work they caused: grants removed, notifications delivered, nothing due in any queue.
  const objectIds = people.map((person) => person.id);
  while ((await activeGrantCount(db, objectIds)) > 0 || (await dueJobCount(db)) > 0) {
    if (Date.now() > deadline) throw new Error(`grants or jobs still pending after ${input.timeoutMs / 1000} s`);
    await sleep(500);
  }
  return { requests, expiring, startedAt, approvedAt, allActiveAt, allEndedAt: Date.now() };
}
