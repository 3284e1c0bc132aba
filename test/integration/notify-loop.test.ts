import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { requestAccess } from "@/lib/access/request-access";
import { revokeRequest } from "@/lib/access/revoke-request";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { deliverNotification } from "@/lib/notify/deliver-notification";
import { describeNotification } from "@/lib/notify/messages";
import { followUpPendingRequests } from "@/lib/notify/follow-up";
import { countMyUnreadNotifications, listMyNotifications, saveMyNotificationPreferences } from "@/lib/notify/queries";
import { waitFor } from "../support/emulator-state";
import { drainJobsOf } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * Notifications that close the loop: the holder hears that their access is active, has ended and
 * was revoked, each event raised once and in the very transaction of the change (the outbox);
 * "approval needed" items resolve when the request is decided or cancelled, the approvers who did
 * not decide get a follow-up mail, and a person's mail choice is honoured except for urgent news.
 */

interface Mail {
  to: string[];
  subject: string;
  body: string;
}
const mailbox = async () =>
  ((await (await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/state`)).json()) as { mail: Mail[] }).mail;
const mailsAbout = async (requestId: string, subject: string) =>
  (await mailbox()).filter((m) => m.body.includes(requestId) && m.subject.includes(subject));
const recipientsOf = (mails: Mail[]) => mails.flatMap((m) => m.to).sort();

/** How often `key` was recorded, and how many `notify` jobs fan it out. */
async function eventAndJobs(key: string) {
  const [jobs] = await db.$queryRaw<Array<{ count: number }>>`
    SELECT count(*)::int AS count FROM pgboss.job WHERE name = 'notify' AND data->>'eventKey' = ${key}`;
  return [await db.notificationEvent.count({ where: { key } }), jobs!.count];
}

/**
 * Whether the event `key` was written by the transaction that wrote the request's audit event
 * `type`: rows inserted by one PostgreSQL transaction carry its id in `xmin`.
 */
async function isSameTransaction(key: string, requestId: string, type: string) {
  const rows = await db.$queryRaw<Array<{ same: boolean }>>`
    SELECT (SELECT xmin::text FROM notification_events WHERE key = ${key}) =
           (SELECT xmin::text FROM audit_events WHERE request_id = ${requestId}::uuid AND type = ${type}) AS same`;
  return rows[0]!.same;
}

const notificationsOf = async (upn: string, requestId: string) =>
  (await listMyNotifications((await contextFor(upn)).viewer)).filter((n) => n.requestId === requestId);

const prodAdmin = (ticket: string) => ({
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Rotate the ingress certificate",
  ticket,
});
const devAdmin = { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: "Debug a crash loop" };

beforeAll(async () => {
  for (const upn of ["n01", "n02", "p01", "adm01"]) await contextFor(`${upn}@contoso.com`);
  await startJobs();
});

afterAll(async () => {
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
});

describe("the loop closes", () => {
  let requestId = "";

  it("resolves the other approver's item in the decision's transaction, and tells the holder their access is active", async () => {
    const request = await requestAccess(prodAdmin("INC50001"), await contextFor("n01@contoso.com"));
    requestId = request.id;
    await waitFor(
      "n02's approval-needed item",
      () => notificationsOf("n02@contoso.com", requestId),
      (items) => items.some((n) => n.kind === "request_filed"),
    );
    const n02 = await contextFor("n02@contoso.com");
    const unreadBefore = await countMyUnreadNotifications(n02.viewer);

    const p01 = await contextFor("p01@contoso.com");
    await approveRequest(requestId, { comment: "Go ahead" }, p01);
    const [filed] = (await notificationsOf("n02@contoso.com", requestId)).filter((n) => n.kind === "request_filed");
    expect(filed!.resolution).toMatch(/^Approved by p01@contoso\.com at \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(filed!.isRead).toBe(true);
    // The resolved item no longer counts; the "already approved" notice the workers deliver meanwhile does.
    const arrived = async () =>
      (await notificationsOf("n02@contoso.com", requestId)).filter(
        (n) => n.kind !== "request_filed" && !n.isRead && !n.resolution,
      ).length;
    const arrivedBefore = await arrived();
    const unreadAfter = await countMyUnreadNotifications(n02.viewer);
    const arrivedAfter = await arrived();
    expect(unreadAfter).toBeGreaterThanOrEqual(unreadBefore - 1 + arrivedBefore);
    expect(unreadAfter).toBeLessThanOrEqual(unreadBefore - 1 + arrivedAfter);
    // Resolved by the approval's own transaction: the updated row carries that transaction's id.
    const [same] = await db.$queryRaw<Array<{ same: boolean }>>`
      SELECT (SELECT xmin::text FROM notifications WHERE id = ${filed!.id}::uuid) =
             (SELECT xmin::text FROM decisions WHERE request_id = ${requestId}::uuid) AS same`;
    expect(same!.same).toBe(true);
    // n02 did not decide: the decision reaches them by mail as the follow-up.
    await waitFor(
      "the follow-up mail to n02",
      () => mailsAbout(requestId, "Already approved by p01"),
      (m) => recipientsOf(m).join() === "n02@contoso.com",
    );

    await waitFor(
      "the activation",
      () => db.accessRequest.findUniqueOrThrow({ where: { id: requestId } }),
      (r) => r.status === "active",
    );
    expect(await eventAndJobs(`active:${requestId}`)).toEqual([1, 1]);
    expect(await isSameTransaction(`active:${requestId}`, requestId, "request.activated")).toBe(true);
    const mails = await waitFor(
      "the activation mail",
      () => mailsAbout(requestId, "Active: your admin on aks-prod-weu access"),
      (m) => m.length > 0,
    );
    await drainJobsOf(requestId, [QUEUES.notify, QUEUES.notifyDeliver]);
    expect(recipientsOf(await mailsAbout(requestId, "Active:"))).toEqual(["n01@contoso.com"]);
    expect(mails[0]!.body).toContain("az aks get-credentials");
    expect(mails[0]!.body).toContain(`/requests/${requestId}#use-access`);
    const active = (await notificationsOf("n01@contoso.com", requestId)).filter((n) => n.kind === "access_active");
    expect(active.map((n) => [n.title, n.isRead])).toEqual([
      [expect.stringMatching(/^Active: your admin on aks-prod-weu access, until .+ UTC$/), false],
    ]);
  });

  it("tells the holder once that their access expired, in the expiry's transaction", async () => {
    const row = await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } });
    await expireDueAccess(new Date(row.activeUntil!.getTime() + 1_000));
    await expireDueAccess(new Date(row.activeUntil!.getTime() + 2_000));
    expect(await eventAndJobs(`ended:${requestId}`)).toEqual([1, 1]);
    expect(await isSameTransaction(`ended:${requestId}`, requestId, "request.expired")).toBe(true);
    const [mail] = await waitFor(
      "the end mail",
      () => mailsAbout(requestId, "Ended: your admin on aks-prod-weu access"),
      (m) => m.length > 0,
    );
    expect(mail!.to).toEqual(["n01@contoso.com"]);
    expect(mail!.body).toContain("It expired at");
    expect(mail!.body).toContain("may still work until");
  });

  it("resolves items and follows up by mail when the requester cancels, and sends no reminder after", async () => {
    const request = await requestAccess(prodAdmin("INC50002"), await contextFor("n01@contoso.com"));
    await waitFor(
      "both approvers' items",
      async () => (await db.notification.findMany({ where: { requestId: request.id } })).length,
      (count) => count === 2,
    );
    await cancelRequest(request.id, await contextFor("n01@contoso.com"), { comment: "Fixed it myself" });
    expect(await eventAndJobs(`closed:${request.id}`)).toEqual([1, 1]);
    expect(await isSameTransaction(`closed:${request.id}`, request.id, "request.cancelled")).toBe(true);
    for (const upn of ["p01@contoso.com", "n02@contoso.com"]) {
      const items = await notificationsOf(upn, request.id);
      expect(items.map((n) => [n.kind, n.isRead, n.resolution?.replace(/\d.*$/, "…")])).toEqual([
        ["request_filed", true, "Cancelled by the requester at …"],
      ]);
    }
    await waitFor(
      "the follow-up mails",
      () => mailsAbout(request.id, "Cancelled: admin on aks-prod-weu no longer needs approval"),
      (m) => recipientsOf(m).join() === "n02@contoso.com,p01@contoso.com",
    );
    // The follow-up is mail only: the items already say so in the app.
    expect(await db.notification.count({ where: { requestId: request.id, kind: "approval_closed" } })).toBe(0);

    // No reminder afterwards: the sweep skips it, and a reminder queued before is dropped.
    expect(await followUpPendingRequests(new Date(Date.now() + 24 * 3_600_000))).toBe(0);
    const reminderMails = (await mailbox()).filter((m) => m.subject.includes("Reminder")).length;
    const request2 = await db.accessRequest.findUniqueOrThrow({
      where: { id: request.id },
      include: { requester: true },
    });
    const message = describeNotification({
      kind: "pending_reminder",
      audience: "approver",
      appUrl: env.APP_URL,
      request: {
        ...request2,
        clusterDisplayName: "Production",
        environment: "production",
        risk: null,
        roleDescription: null,
        ticketUrl: null,
        status: "pending",
        approvedBy: [],
      },
    });
    const outcome = await deliverNotification({
      channel: "email",
      requestId: request.id,
      eventKey: `reminder:${request.id}`,
      to: { address: "p01@contoso.com", name: "p01" },
      message,
    });
    expect(outcome).toBe("settled");
    expect((await mailbox()).filter((m) => m.subject.includes("Reminder")).length).toBe(reminderMails);
  });

  it("honours a holder's mail opt-out, but mails a revocation with its reason, who, and the sign-out", async () => {
    const n02 = await contextFor("n02@contoso.com");
    await saveMyNotificationPreferences(n02.viewer, { isEmailEnabled: false }, new Date());
    try {
      const request = await requestAccess(devAdmin, n02);
      await waitFor(
        "the activation",
        () => db.accessRequest.findUniqueOrThrow({ where: { id: request.id } }),
        (r) => r.status === "active",
      );
      await drainJobsOf(request.id, [QUEUES.notify, QUEUES.notifyDeliver]);
      expect((await notificationsOf("n02@contoso.com", request.id)).map((n) => n.kind)).toContain("access_active");
      expect(await mailsAbout(request.id, "Active:")).toEqual([]);

      const adm01 = await contextFor("adm01@contoso.com");
      await revokeRequest(request.id, { reason: "Incident INC9 closed", endSessions: true }, adm01);
      expect(await eventAndJobs(`revoked:${request.id}`)).toEqual([1, 1]);
      expect(await isSameTransaction(`revoked:${request.id}`, request.id, "request.revoked")).toBe(true);
      const [mail] = await waitFor(
        "the revocation mail",
        () => mailsAbout(request.id, "Revoked: your admin on aks-dev-weu access"),
        (m) => m.length > 0,
      );
      expect(mail!.to).toEqual(["n02@contoso.com"]);
      expect(mail!.body).toContain("revoked your access at");
      expect(mail!.body).toContain("adm01@contoso.com");
      expect(mail!.body).toContain("Reason: “Incident INC9 closed”");
      expect(mail!.body).toContain(
        "You were signed out of Entra ID, but access tokens issued before then may still work until",
      );
      expect(mail!.body).toContain(
        "You turned notification mail off; this one is sent anyway because a revocation is urgent.",
      );
      const [item] = (await notificationsOf("n02@contoso.com", request.id)).filter((n) => n.kind === "access_revoked");
      expect(item!.body).not.toContain("You turned notification mail off");
      expect(await db.notificationEvent.count({ where: { key: `ended:${request.id}` } })).toBe(0);
    } finally {
      await saveMyNotificationPreferences(n02.viewer, { isEmailEnabled: true }, new Date());
    }
  });

  it("tells the holder who ends their access early when it ended and whether they were signed out", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess({ ...devAdmin, justification: "Look at the logs" }, n01);
    await waitFor(
      "the activation",
      () => db.accessRequest.findUniqueOrThrow({ where: { id: request.id } }),
      (r) => r.status === "active",
    );
    await deactivateRequest(request.id, await contextFor("n01@contoso.com"), { comment: "Done" });
    expect(await eventAndJobs(`ended:${request.id}`)).toEqual([1, 1]);
    expect(await isSameTransaction(`ended:${request.id}`, request.id, "request.deactivated")).toBe(true);
    const [mail] = await waitFor(
      "the end mail",
      () => mailsAbout(request.id, "Ended: your admin on aks-dev-weu access"),
      (m) => m.length > 0,
    );
    expect(mail!.to).toEqual(["n01@contoso.com"]);
    expect(mail!.body).toContain("You ended it early, at");
  });
});
