import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * Notifications end to end: the use cases' events, recipients read from the emulator's Graph, mail
 * through Graph sendMail into the emulator's mailbox, Teams and Slack posts to a local webhook
 * receiver, retries of a failing webhook into the admin's failed jobs, and the in-app list.
 */

// Before the app's modules read their configuration (vi.hoisted runs before the imports): a local
// webhook receiver, the sender mailbox, short retries, and a copy of the test catalog whose prod
// roles notify Teams and Slack (admin) and a webhook that always fails (node-access).
const SETUP = await vi.hoisted(async () => {
  const http = await import("node:http");
  const fs = await import("node:fs");
  const yaml = await import("yaml");
  const posts: Array<{ path: string; body: unknown; text: string }> = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      posts.push({ path: req.url ?? "", body, text });
      if (req.url === "/broken") res.writeHead(500, { "content-type": "text/plain" }).end("boom");
      else if (req.url === "/teams") res.writeHead(202).end();
      else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const catalog = yaml.parse(fs.readFileSync(process.env.CATALOG_PATH!, "utf8"));
  const prod = catalog.clusters.find((c: { name: string }) => c.name === "aks-prod-weu");
  for (const role of prod.roles) delete role.policy.stepUp; // approving here is not about step-up
  const role = (name: string) => prod.roles.find((r: { name: string }) => r.name === name);
  role("admin").notify = {
    channels: ["email", "teams:platform", "slack:oncall"],
    remindAfter: "PT30M",
    escalation: { after: "PT1H", approverGroups: ["6d93ec97-249c-4b40-b9b4-de80497c2c19"] }, // jit-admins
  };
  role("node-access").notify = { channels: ["email", "teams:broken"] };
  const catalogPath = process.env.CATALOG_PATH!.replace(/\.yaml$/, "-notify.yaml");
  fs.writeFileSync(catalogPath, yaml.stringify(catalog));

  const overrides = {
    CATALOG_PATH: catalogPath,
    NOTIFY_MAIL_SENDER: "adm01@contoso.com",
    NOTIFY_WEBHOOKS: `platform=${base}/teams,oncall=${base}/slack,broken=${base}/broken`,
    JOB_RETRY_LIMIT: "2",
    JOB_RETRY_DELAY_SECONDS: "1",
  };
  Object.assign(process.env, overrides);
  return { server, posts, base, catalogPath, retryLimit: 2 };
});

import { rmSync } from "node:fs";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { expireDueAccess } from "@/lib/access/expire-access";
import { loadRequestView } from "@/lib/access/request-queries";
import { requestAccess } from "@/lib/access/request-access";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { listFailedJobs } from "@/lib/jobs/failed-jobs";
import { QUEUES } from "@/lib/jobs/queues";
import { startJobs } from "@/lib/jobs/start-jobs";
import { ZSlackWebhookMessage, ZTeamsWebhookMessage } from "@/lib/notify/channel-shapes";
import { followUpPendingRequests, warnAccessEndingSoon } from "@/lib/notify/follow-up";
import { countMyUnreadNotifications, listMyNotifications, markNotificationsRead } from "@/lib/notify/queries";
import { notifyDecision, notifyRequestFiled } from "@/lib/notify/request-events";
import { userAccessToken } from "../support/api";
import { waitFor } from "../support/emulator-state";
import { drainJobsOf, useQueueSettings } from "../support/jobs";
import { contextFor } from "../support/users";

interface Mail {
  from: string;
  to: string[];
  subject: string;
  body: string;
  sentAt: string;
}

const mailbox = async () =>
  ((await (await fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/state`)).json()) as { mail: Mail[] }).mail;
const mailsAbout = async (requestId: string) => (await mailbox()).filter((m) => m.body.includes(requestId));
const recipientsOf = (mails: Mail[]) => mails.flatMap((m) => m.to).sort();
const postsTo = (path: string, requestId: string) =>
  SETUP.posts.filter((p) => p.path === path && p.text.includes(requestId));
/** How many events are recorded under `key`, and how many `notify` jobs fan them out: once each, however often raised. */
const eventAndJobs = async (key: string) => {
  const [jobs] = await db.$queryRaw<Array<{ count: number }>>`
    SELECT count(*)::int AS count FROM pgboss.job WHERE name = 'notify' AND data->>'eventKey' = ${key}`;
  return [await db.notificationEvent.count({ where: { key } }), jobs!.count];
};

const prodAdmin = {
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Rotate the ingress certificate",
  ticket: "INC40001",
};
const N02 = "fbb8895c-b680-43d4-ba00-8aa695e67279";
/**
 * An administrator disables or enables a person through Graph, signed in with User.ReadWrite.All:
 * the app's own identity may not (it holds no permission to write users, as in a real tenant).
 */
let adminToken: Promise<string> | undefined;
async function setAccountEnabled(objectId: string, accountEnabled: boolean) {
  adminToken ??= userAccessToken("adm01@contoso.com", ["https://graph.microsoft.com/User.ReadWrite.All"]);
  const response = await fetch(`${env.GRAPH_BASE_URL}/v1.0/users/${objectId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${await adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ accountEnabled }),
  });
  if (response.status !== 204) throw new Error(`PATCH /users/${objectId} answered ${response.status}`);
}

beforeAll(async () => {
  // Sign everyone in while all accounts are enabled: a disabled account cannot sign in.
  for (const upn of ["n01", "n02", "p01", "adm01", "aud01"]) await contextFor(`${upn}@contoso.com`);
  await useQueueSettings({ JOB_RETRY_LIMIT: "2", JOB_RETRY_DELAY_SECONDS: "1" });
  await startJobs();
});

afterAll(async () => {
  await setAccountEnabled(N02, true).catch(() => undefined);
  await new Promise((resolve) => SETUP.server.close(resolve));
  await expireDueAccess(new Date(Date.now() + 24 * 3_600_000));
  rmSync(SETUP.catalogPath, { force: true });
});

describe("notifications", () => {
  let requestId = "";

  it("mails a new prod request's approvers within 10 seconds, with a link that opens it, and never the requester", async () => {
    const request = await requestAccess(prodAdmin, await contextFor("n01@contoso.com"));
    requestId = request.id;
    // request-access.ts raised this in its transaction; raising it again is a no-op (the event is keyed).
    const raiseAgain = () => db.$transaction((tx) => notifyRequestFiled(tx, request));
    await raiseAgain();
    await raiseAgain();
    expect(await eventAndJobs(`filed:${request.id}`)).toEqual([1, 1]);

    const mails = await waitFor(
      "mail to both approvers",
      () => mailsAbout(request.id),
      (found) => recipientsOf(found).join() === "n02@contoso.com,p01@contoso.com",
      10_000,
    );
    expect(mails.every((m) => m.from === "adm01@contoso.com" && m.subject.includes("Approval needed"))).toBe(true);
    const link = `${env.APP_URL}/requests/${request.id}`;
    const mail = mails.find((m) => m.to.includes("p01@contoso.com"))!;
    expect(mail.body).toContain(`href="${link}"`);
    // The link is the approval page: the approver may open that request there.
    const p01 = await contextFor("p01@contoso.com");
    expect((await loadRequestView(request.id, p01.viewer)).canDecide).toBe(true);
  });

  it("posts an Adaptive Card to Teams and Block Kit to Slack, each once", async () => {
    const [teams] = await waitFor(
      "the Teams post",
      async () => postsTo("/teams", requestId),
      (p) => p.length > 0,
    );
    const [slack] = await waitFor(
      "the Slack post",
      async () => postsTo("/slack", requestId),
      (p) => p.length > 0,
    );
    const card = ZTeamsWebhookMessage.parse(teams!.body);
    expect(card.attachments[0]!.content.actions[0]!.url).toBe(`${env.APP_URL}/requests/${requestId}`);
    const blocks = ZSlackWebhookMessage.parse(slack!.body);
    expect(blocks.text).toContain(`${env.APP_URL}/requests/${requestId}`);
    await drainJobsOf(requestId, [QUEUES.notify, QUEUES.notifyDeliver]);
    expect([postsTo("/teams", requestId).length, postsTo("/slack", requestId).length]).toEqual([1, 1]);
  });

  it("lists each person's own notifications only, and only they mark them read", async () => {
    const [n01, p01] = [await contextFor("n01@contoso.com"), await contextFor("p01@contoso.com")];
    const mine = (await listMyNotifications(p01.viewer)).filter((n) => n.requestId === requestId);
    expect(mine.map((n) => [n.kind, n.title, n.linkPath, n.isRead])).toEqual([
      ["request_filed", "Approval needed: admin on aks-prod-weu", `/requests/${requestId}`, false],
    ]);
    expect((await listMyNotifications(n01.viewer)).filter((n) => n.requestId === requestId)).toEqual([]);

    const unread = await countMyUnreadNotifications(p01.viewer);
    expect(await markNotificationsRead(n01.viewer, { id: mine[0]!.id }, new Date())).toBe(0);
    expect(await markNotificationsRead(p01.viewer, { id: mine[0]!.id }, new Date())).toBe(1);
    expect(await countMyUnreadNotifications(p01.viewer)).toBe(unread - 1);
  });

  it("tells the requester and the other approvers of a decision, and the holder before access ends", async () => {
    const p01 = await contextFor("p01@contoso.com");
    await approveRequest(requestId, { comment: "Go ahead" }, p01);
    // approve-request.ts raised this in its transaction; raising it again is a no-op.
    await db.$transaction((tx) => notifyDecision(tx, requestId, "approve", p01.viewer.id));
    expect(await eventAndJobs(`decided:${requestId}:${p01.viewer.id}`)).toEqual([1, 1]);

    const decided = async (upn: string) =>
      (await listMyNotifications((await contextFor(upn)).viewer)).filter(
        (n) => n.requestId === requestId && n.kind === "request_decided",
      );
    await waitFor(
      "the requester's notification",
      () => decided("n01@contoso.com"),
      (n) => n.length === 1,
    );
    expect((await decided("n01@contoso.com"))[0]!.title).toBe("Approved: your request for admin on aks-prod-weu");
    expect((await decided("n02@contoso.com")).map((n) => n.title)).toEqual([
      "Already approved by p01@contoso.com: admin on aks-prod-weu",
    ]);
    expect(await decided("p01@contoso.com")).toEqual([]);

    const row = await waitFor(
      "the activation",
      () => db.accessRequest.findUniqueOrThrow({ where: { id: requestId } }),
      (r) => r.status === "active",
    );
    const [warning] = await db.$queryRaw<Array<{ start_after: Date }>>`
      SELECT start_after FROM pgboss.job WHERE name = 'notify-ending-soon' AND data->>'requestId' = ${requestId}`;
    expect(warning!.start_after.getTime()).toBe(row.activeUntil!.getTime() - env.NOTIFY_ENDING_SOON_MINUTES * 60_000);
    // Run the warning now rather than in 45 minutes.
    const job = { requestId, activeUntil: row.activeUntil!.toISOString() };
    expect(await warnAccessEndingSoon({ ...job, activeUntil: new Date(0).toISOString() }, new Date())).toBe(false);
    expect(await warnAccessEndingSoon(job, new Date())).toBe(true);
    const ending = await waitFor(
      "the ending-soon notification",
      async () =>
        (await listMyNotifications((await contextFor("n01@contoso.com")).viewer)).filter(
          (n) => n.requestId === requestId && n.kind === "access_ending_soon",
        ),
      (n) => n.length === 1,
    );
    expect(ending[0]!.linkPath).toBe(`/requests/${requestId}#actions`);
  });

  it("tells a disabled account nothing, and escalates a request left pending", async () => {
    let otherId = "";
    try {
      await setAccountEnabled(N02, false);
      const request = await requestAccess({ ...prodAdmin, ticket: "INC40002" }, await contextFor("n01@contoso.com"));
      otherId = request.id;
      await db.$transaction((tx) => notifyRequestFiled(tx, request));
      await waitFor(
        "mail to p01",
        () => mailsAbout(request.id),
        (m) => recipientsOf(m).includes("p01@contoso.com"),
        10_000,
      );
      await drainJobsOf(request.id, [QUEUES.notify, QUEUES.notifyDeliver]);
      expect(recipientsOf(await mailsAbout(request.id))).toEqual(["p01@contoso.com"]);
      const n02Rows = await db.notification.count({ where: { requestId: request.id, recipientObjectId: N02 } });
      expect(n02Rows).toBe(0);
    } finally {
      await setAccountEnabled(N02, true);
    }

    // Two hours later: the approvers are reminded, then jit-admins (the escalation group) told.
    await followUpPendingRequests(new Date(Date.now() + 2 * 3_600_000));
    const adm01 = await contextFor("adm01@contoso.com");
    const escalated = await waitFor(
      "the escalation",
      async () => (await listMyNotifications(adm01.viewer)).filter((n) => n.requestId === otherId),
      (n) => n.length === 1,
    );
    expect(escalated[0]!.title).toBe("Escalated: admin on aks-prod-weu is waiting for approval");
    const p01 = await contextFor("p01@contoso.com");
    await waitFor(
      "the reminder",
      async () =>
        (await listMyNotifications(p01.viewer)).filter((n) => n.requestId === otherId && n.kind === "pending_reminder"),
      (n) => n.length === 1,
    );
    // Once only: the next sweep finds the reminder and the escalation recorded.
    expect(await followUpPendingRequests(new Date(Date.now() + 3 * 3_600_000))).toBe(0);
    const events = await db.notificationEvent.count({ where: { requestId: otherId } });
    expect(events).toBe(3); // filed, reminder, escalation
  });

  it("retries a webhook that answers 500, then lists it among the failed jobs, while the request goes on", async () => {
    const request = await requestAccess(
      { ...prodAdmin, role: "node-access", ticket: "INC40003" },
      await contextFor("n01@contoso.com"),
    );
    await db.$transaction((tx) => notifyRequestFiled(tx, request));
    await approveRequest(request.id, { comment: "Fine" }, await contextFor("p01@contoso.com"));
    await waitFor(
      "the activation",
      async () => (await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).status,
      (status) => status === "active",
    );

    const adm01 = await contextFor("adm01@contoso.com");
    const [failed] = await waitFor(
      "the failed delivery",
      async () =>
        // The new request's delivery: the approval's own notification to that webhook fails too.
        (await listFailedJobs(adm01.viewer)).filter(
          (j) => j.queue === "notify-deliver" && j.data.eventKey === `filed:${request.id}`,
        ),
      (jobs) => jobs.length === 1,
      30_000,
    );
    expect(failed!.error).toBe('Teams webhook "broken" answered 500: boom');
    expect(failed!.retries).toBe(SETUP.retryLimit);
    expect(JSON.stringify(failed)).not.toContain(SETUP.base); // the URL is a secret
    const filedPosts = postsTo("/broken", request.id).filter((p) => p.text.includes("Approval needed"));
    expect(filedPosts).toHaveLength(SETUP.retryLimit + 1);
    // The email of the same event went out regardless.
    expect(recipientsOf(await mailsAbout(request.id))).toContain("p01@contoso.com");
  });

  it("follows a cancelled request up in Teams and Slack, whose webhooks cannot edit the first post", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess({ ...prodAdmin, ticket: "INC40004" }, n01);
    await waitFor(
      "the first Teams post",
      async () => postsTo("/teams", request.id),
      (p) => p.length === 1,
    );
    await cancelRequest(request.id, n01, { comment: "Not needed after all" });
    const title = "Cancelled: admin on aks-prod-weu no longer needs approval";
    const [teams] = await waitFor(
      "the Teams follow-up",
      async () => postsTo("/teams", request.id).filter((p) => p.text.includes(title)),
      (p) => p.length > 0,
    );
    expect(ZTeamsWebhookMessage.parse(teams!.body).attachments[0]!.content.actions[0]!.url).toBe(
      `${env.APP_URL}/requests/${request.id}`,
    );
    await waitFor(
      "the Slack follow-up",
      async () => postsTo("/slack", request.id).filter((p) => p.text.includes(title)),
      (p) => p.length > 0,
    );
    await drainJobsOf(request.id, [QUEUES.notify, QUEUES.notifyDeliver]);
    expect(postsTo("/teams", request.id).filter((p) => p.text.includes(title))).toHaveLength(1);
  });
});
