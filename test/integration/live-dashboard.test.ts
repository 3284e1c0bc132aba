import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { concernsViewer, dashboardStream, dashboardVersion } from "@/lib/access/dashboard-stream";
import { requestAccess } from "@/lib/access/request-access";
import { db } from "@/lib/db/client";
import { getBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * The live dashboard: a change committed anywhere (another web replica, a worker) reaches the
 * server-sent event stream of a browser connected to this process through PostgreSQL NOTIFY, when it
 * concerns that viewer: a request they may see, their own notifications, drift for admins.
 */

const prodAdmin = {
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Rotate the ingress certificate",
  ticket: "INC12345",
};

/** Reads server-sent events off a stream, one `event:`/`data:` block at a time (comments skipped). */
function eventReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<{ event: string; data: Record<string, unknown> } | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split("\n");
          const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
          const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
          if (event && data) return { event, data: JSON.parse(data) as Record<string, unknown> };
          continue;
        }
        const { done, value } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

async function statusOf(id: string) {
  return (await db.accessRequest.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
}

describe("live dashboard", () => {
  it("sends the version once listening, then a change when an approval commits on another connection", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    const abort = new AbortController();
    const events = eventReader(dashboardStream(n01.viewer, abort.signal));

    expect(await events.next()).toEqual({ event: "version", data: { version: await dashboardVersion(n01.viewer) } });
    await approveRequest(request.id, {}, p01);
    expect(await events.next()).toEqual({ event: "change", data: { change: 1 } });
    // By the time the browser re-reads, the approval is there.
    expect(await statusOf(request.id)).toMatch(/approved|activating/);

    abort.abort();
    expect(await events.next()).toBeNull();
  });

  it("follows the worker's activation to active, its burst of commits told as few changes", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    await approveRequest(request.id, {}, p01);
    const abort = new AbortController();
    const events = eventReader(dashboardStream(n01.viewer, abort.signal));
    await events.next();

    // The worker's part, as a worker process runs it: take the queued job and apply the grants.
    const [job] = await takeQueuedJobs<{ requestId: string }>(QUEUES.activate, request.id);
    expect(await activateRequest(job!.requestId, new Date())).toBe("active");
    const auditEvents = await db.auditEvent.count({
      where: { requestId: request.id, type: { not: "request.created" } },
    });
    expect(await events.next()).toMatchObject({ event: "change" });
    expect(await statusOf(request.id)).toBe("active");
    abort.abort();
    const told = [];
    for (let event = await events.next(); event; event = await events.next()) told.push(event);
    expect(told.length + 1).toBeLessThan(auditEvents);
  });

  it("tells a person of their own new notification, through the notifications table's trigger", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    const abort = new AbortController();
    const events = eventReader(dashboardStream(n01.viewer, abort.signal));
    const { version } = (await events.next())!.data as { version: string };

    const key = `test:${randomUUID()}`;
    await db.notificationEvent.create({ data: { key, kind: "access_ending_soon", requestId: request.id } });
    await db.notification.create({
      data: {
        eventKey: key,
        recipientObjectId: n01.viewer.entraObjectId,
        recipientUpn: n01.viewer.userPrincipalName,
        kind: "access_ending_soon",
        requestId: request.id,
        title: "Ends soon",
        body: "It ends soon.",
        linkPath: `/requests/${request.id}`,
      },
    });
    expect(await events.next()).toEqual({ event: "change", data: { change: 1 } });
    expect(await dashboardVersion(n01.viewer)).not.toBe(version);
    abort.abort();
  });

  it("tells an admin when a job fails for good and when it is retried (Admin's failed jobs)", async () => {
    const adm01 = await contextFor("adm01@contoso.com");
    const abort = new AbortController();
    const events = eventReader(dashboardStream(adm01.viewer, abort.signal));
    await events.next();

    const boss = await getBoss();
    const jobId = (await boss.send(QUEUES.notifyDeliver, { probe: true }, { retryLimit: 0 }))!;
    await boss.fail(QUEUES.notifyDeliver, jobId, new Error("mailbox full"));
    expect((await boss.getJobById(QUEUES.notifyDeliver, jobId))?.state).toBe("failed");
    expect(await events.next()).toEqual({ event: "change", data: { change: 1 } });
    await boss.retry(QUEUES.notifyDeliver, jobId);
    expect(await events.next()).toEqual({ event: "change", data: { change: 2 } });
    await boss.deleteJob(QUEUES.notifyDeliver, jobId);
    abort.abort();
  });

  it("concerns only those who may see the request, their own notifications, and drift for admins", async () => {
    const [n01, n02, p01, aud01, adm01] = await Promise.all([
      contextFor("n01@contoso.com"),
      contextFor("n02@contoso.com"),
      contextFor("p01@contoso.com"),
      contextFor("aud01@contoso.com"),
      contextFor("adm01@contoso.com"),
    ]);
    const request = await requestAccess(prodAdmin, n02);
    const change = { kind: "request", key: request.id } as const;
    expect(await concernsViewer(change, n02.viewer)).toBe(true);
    expect(await concernsViewer(change, p01.viewer)).toBe(true);
    expect(await concernsViewer(change, aud01.viewer)).toBe(true);
    expect(await concernsViewer(change, n01.viewer)).toBe(false);
    expect(await concernsViewer({ kind: "request", key: randomUUID() }, aud01.viewer)).toBe(false);

    const mine = { kind: "notification", key: n01.viewer.entraObjectId.toUpperCase() } as const;
    expect(await concernsViewer(mine, n01.viewer)).toBe(true);
    expect(await concernsViewer(mine, n02.viewer)).toBe(false);

    expect(await concernsViewer({ kind: "drift", key: "" }, adm01.viewer)).toBe(true);
    expect(await concernsViewer({ kind: "drift", key: "" }, aud01.viewer)).toBe(false);
    expect(await concernsViewer({ kind: "job", key: "" }, adm01.viewer)).toBe(true);
    expect(await concernsViewer({ kind: "job", key: "" }, p01.viewer)).toBe(false);
    // After the feed reconnected, everything may have changed.
    expect(await concernsViewer(null, n01.viewer)).toBe(true);
  });
});
