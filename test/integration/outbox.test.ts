import { randomInt } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { startJobs } from "@/lib/jobs/start-jobs";
import { waitFor } from "../support/emulator-state";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * The outbox (lib/jobs/outbox.ts). Guards against work handed off after a commit: a notification
 * (or the ending-soon warning) queued after the state change committed is lost without a trace
 * when the process dies in between, and one that fails to queue is only logged. Every hand-off
 * must commit in the state change's own transaction: both or neither.
 */

const prodAdmin = { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification: "Outbox test" };
const ticket = () => `INC${randomInt(10_000_000, 99_999_999)}`;

const CRASH = "the process died right after the commit";

/**
 * The process "dies" right after the commit of the interactive transaction that made `isCommitted`
 * true (the transactions before it, such as the audit of a provider call, go through): nothing the
 * use case would do after that commit runs.
 */
function crashAfterCommitOf(isCommitted: () => Promise<boolean>) {
  const commit = db.$transaction.bind(db);
  return vi.spyOn(db, "$transaction").mockImplementation((async (...args: Parameters<typeof commit>) => {
    const result = await commit(...args);
    if (typeof args[0] === "function" && (await isCommitted())) throw new Error(CRASH);
    return result;
  }) as typeof db.$transaction);
}

const hasStatus = (requestId: string, status: string) => async () =>
  (await db.accessRequest.count({ where: { id: requestId, status } })) === 1;

const requestByTicket = (value: string) => db.accessRequest.findFirstOrThrow({ where: { ticket: value } });

/** The jobs of a queue for a request (any state), with the transaction that inserted each. */
const jobsFor = (queue: string, requestId: string) =>
  db.$queryRaw<Array<{ xmin: string; data: Record<string, string>; start_after: Date }>>`
    SELECT xmin::text AS xmin, data, start_after FROM pgboss.job
    WHERE name = ${queue} AND data->>'requestId' = ${requestId}`;

/** The transaction that inserted each row: rows never updated since keep it. */
const insertedBy = async (table: "notification_events" | "decisions" | "audit_events", where: string, id: string) =>
  (
    await db.$queryRawUnsafe<Array<{ xmin: string }>>(
      `SELECT xmin::text AS xmin FROM ${table} WHERE ${where} = $1 ORDER BY 1`,
      id,
    )
  ).map((row) => row.xmin);

const notificationsOf = (eventKey: string) =>
  db.notification.findMany({ where: { eventKey }, select: { recipientUpn: true, kind: true } });

beforeAll(async () => {
  for (const upn of ["n01", "p01"]) await contextFor(`${upn}@contoso.com`);
  await getBoss();
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
});

describe("the outbox", () => {
  it("commits nothing when the transaction fails between the state change and its notification", async () => {
    const filed = await requestAccess({ ...prodAdmin, ticket: ticket() }, await contextFor("n01@contoso.com"));
    const auditBefore = await db.auditEvent.count({ where: { requestId: filed.id } });
    // A failure at the notification's insert, after the approval was written and before the commit.
    const trigger = `outbox_test_${filed.id.replaceAll("-", "")}`;
    await db.$executeRawUnsafe(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.request_id = '${filed.id}'::uuid THEN RAISE EXCEPTION 'injected failure before the commit'; END IF;
        RETURN NEW;
      END $$`);
    await db.$executeRawUnsafe(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON notification_events FOR EACH ROW EXECUTE FUNCTION ${trigger}()`,
    );
    try {
      await expect(approveRequest(filed.id, { comment: "Fine" }, await contextFor("p01@contoso.com"))).rejects.toThrow(
        /injected failure before the commit/,
      );
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER ${trigger} ON notification_events`);
      await db.$executeRawUnsafe(`DROP FUNCTION ${trigger}()`);
    }

    const request = await db.accessRequest.findUniqueOrThrow({ where: { id: filed.id } });
    expect(request.status).toBe("pending");
    expect(await db.decision.count({ where: { requestId: filed.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { requestId: filed.id } })).toBe(auditBefore);
    expect(await jobsFor("activate", filed.id)).toEqual([]);
    expect(await db.notificationEvent.count({ where: { key: { startsWith: `decided:${filed.id}` } } })).toBe(0);
    expect((await jobsFor("notify", filed.id)).filter((j) => j.data.eventKey !== `filed:${filed.id}`)).toEqual([]);
  });

  it("loses nothing when the process dies right after a commit: the workers deliver what the change queued", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");

    // Filing: the request, its audit event, its notification event and the notify job, one commit.
    const filedTicket = ticket();
    crashAfterCommitOf(async () => (await db.accessRequest.count({ where: { ticket: filedTicket } })) === 1);
    await expect(requestAccess({ ...prodAdmin, ticket: filedTicket }, n01)).rejects.toThrow(CRASH);
    vi.restoreAllMocks();
    const { id } = await requestByTicket(filedTicket);
    const [filing] = await insertedBy("audit_events", "request_id", id);
    expect(await insertedBy("notification_events", "key", `filed:${id}`)).toEqual([filing]);
    expect((await jobsFor("notify", id)).map((job) => [job.xmin, job.data.eventKey])).toEqual([
      [filing, `filed:${id}`],
    ]);

    // Approval: the decision, the activation job and the decision's notification, one commit.
    crashAfterCommitOf(hasStatus(id, "approved"));
    await expect(approveRequest(id, { comment: "Go ahead" }, p01)).rejects.toThrow(CRASH);
    vi.restoreAllMocks();
    const [decision] = await insertedBy("decisions", "request_id", id);
    const decidedKey = `decided:${id}:${p01.viewer.id}`;
    expect(await insertedBy("notification_events", "key", decidedKey)).toEqual([decision]);
    expect((await jobsFor("notify", id)).filter((job) => job.xmin === decision)).toHaveLength(1);
    expect((await jobsFor("activate", id)).map((job) => job.xmin)).toEqual([decision]);

    // Activation: the request becomes active with its ending-soon warning queued in the same commit.
    await takeQueuedJobs("activate", id);
    crashAfterCommitOf(hasStatus(id, "active"));
    await expect(activateRequest(id, new Date())).rejects.toThrow(CRASH);
    vi.restoreAllMocks();
    const active = await db.accessRequest.findUniqueOrThrow({ where: { id } });
    expect(active.status).toBe("active");
    expect((await jobsFor("notify-ending-soon", id)).map((job) => job.data.activeUntil)).toEqual([
      active.activeUntil!.toISOString(),
    ]);
    // ... and the holder's "active" notice too.
    const [activated] = (
      await db.$queryRaw<Array<{ xmin: string }>>`
        SELECT xmin::text AS xmin FROM audit_events WHERE request_id = ${id}::uuid AND type = 'request.activated'`
    ).map((row) => row.xmin);
    expect(await insertedBy("notification_events", "key", `active:${id}`)).toEqual([activated]);

    // A new process's workers find it all queued, and tell each person once.
    await startJobs();
    const filedTo = await waitFor(
      "the new-request notification",
      () => notificationsOf(`filed:${id}`),
      (rows) => rows.length > 0,
    );
    expect(filedTo.map((row) => row.recipientUpn).sort()).toEqual(["n02@contoso.com", "p01@contoso.com"]);
    const decidedTo = await waitFor(
      "the decision notification",
      () => notificationsOf(decidedKey),
      (rows) => rows.some((row) => row.recipientUpn === "n01@contoso.com"),
    );
    expect(decidedTo.filter((row) => row.recipientUpn === "n01@contoso.com")).toHaveLength(1);
    // Filed, decided, and (since notifications close the loop) the holder's "active".
    expect((await db.notificationEvent.findMany({ where: { requestId: id } })).map((e) => e.key).sort()).toEqual(
      [`active:${id}`, decidedKey, `filed:${id}`].sort(),
    );
  });
});
