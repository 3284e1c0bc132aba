/* The exactly-once checks of a workload, whatever the number of replicas that shared it: provider
 * writes per person, cron jobs per tick, mails per notification. Each returns what it saw, for the
 * figures, and the mismatches, for the assertion. */
import type pg from "pg";
import { cronJobTimes, mailKeys, wholeMinutes, writesByPrincipal, type WriteCounts } from "./checks";
import type { EmulatorState, ServedCall } from "./clients";
import type { Person } from "./tenant";
import type { Workload } from "./workload";

/**
 * Every grant applied once and removed once: PIM adminAssign, ARM PUT + DELETE, and PIM adminRemove
 * for access ended early. Access that runs to its end is ended by PIM itself at the schedule's end
 * (the expiry sweep verifies it, issue 17): no adminRemove, and the caller checks that the emulator
 * holds nothing afterwards.
 */
export function providerWrites(run: Workload, calls: readonly ServedCall[]) {
  const writes = writesByPrincipal(calls);
  const mismatches: string[] = [];
  const totals = { assign: 0, remove: 0, put: 0, delete: 0, revokeSessions: 0, failed: 0 };
  for (const [id, person] of run.requests) {
    const expected: WriteCounts = {
      assign: 1,
      remove: run.expiring.has(id) ? 0 : 1,
      put: 1,
      delete: 1,
      // Ending access early also ends the holder's sign-in sessions (the role's endSessions).
      revokeSessions: run.expiring.has(id) ? 0 : 1,
      failed: 0,
    };
    const actual = writes.get(person.id) ?? { assign: 0, remove: 0, put: 0, delete: 0, revokeSessions: 0, failed: 0 };
    for (const key of Object.keys(totals) as Array<keyof WriteCounts>) totals[key] += actual[key];
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      mismatches.push(`${person.userPrincipalName}: ${JSON.stringify(actual)}`);
  }
  return { totals, mismatches };
}

/**
 * One mail per request, recipient and kind: approvers hear of the request, requester and the other
 * approvers of the decision, the holder that the access is active and that it ended.
 */
export function notifications(run: Workload, state: EmulatorState, approvers: readonly Person[], decider: Person) {
  const expected: string[] = [];
  for (const [id, requester] of run.requests) {
    const to = (person: Person, kind: string) =>
      expected.push(`${id} ${person.userPrincipalName.toLowerCase()} ${kind}`);
    for (const approver of approvers) to(approver, "request_filed");
    to(requester, "request_decided");
    for (const approver of approvers) if (approver.id !== decider.id) to(approver, "request_decided");
    // A one-minute request is within NOTIFY_ENDING_SOON_MINUTES of its end from the start.
    if (run.expiring.has(id)) to(requester, "access_ending_soon");
    to(requester, "access_active");
    to(requester, "access_ended");
  }
  const actual = mailKeys(state, new Set(run.requests.keys()));
  const remaining = [...actual];
  const missing = expected.filter((key) => {
    const at = remaining.indexOf(key);
    if (at >= 0) remaining.splice(at, 1);
    return at < 0;
  });
  return { mails: actual.length, missing, extra: remaining };
}

/**
 * Each cron schedule sent one job per tick while every replica ran, not one per replica. pg-boss
 * sends a tick's job from the first cron check after the minute (checks run every 30 s, in one
 * process at a time), so a job is created up to a minute after its tick: per queue, the jobs
 * created in the window number the ticks in it, plus up to one at each edge (the tick before the
 * first whole minute, whose job comes after the window opens, and the tick of the last, unfinished
 * minute), and no two come within 20 s of each other (replicas each sending the same tick would).
 */
export async function cronTicks(db: Pick<pg.Pool, "query">, from: Date, to: Date) {
  const queues = ["time-out-requests", "notify-follow-up"];
  const ticks = wholeMinutes(from, to).length;
  const problems: string[] = [];
  for (const queue of queues) {
    const created = await cronJobTimes(db, queue, from, to);
    if (created.length < ticks - 1 || created.length > ticks + 2) {
      problems.push(`${queue}: ${created.length} jobs for ${ticks} ticks`);
    }
    created.forEach((at, i) => {
      const gap = i > 0 ? at.getTime() - created[i - 1]!.getTime() : Infinity;
      if (gap < 20_000) problems.push(`${queue}: two jobs ${gap} ms apart, at ${at.toISOString()}`);
    });
  }
  return { ticks, problems };
}
