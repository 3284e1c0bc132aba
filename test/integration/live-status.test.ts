import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { activateRequest } from "@/lib/access/activate-request";
import { approveRequest } from "@/lib/access/approve-request";
import { requestAccess } from "@/lib/access/request-access";
import { requestStatusStream, requestVersion } from "@/lib/access/request-status-stream";
import { env } from "@/lib/config/env";
import { REQUEST_CHANGES_CHANNEL } from "@/lib/db/request-changes";
import { QUEUES } from "@/lib/jobs/queues";
import { takeQueuedJobs } from "../support/jobs";
import { contextFor } from "../support/users";

/**
 * Live status: a request's change committed anywhere (another web replica, a worker) reaches the
 * server-sent event stream of a browser connected to this process, through PostgreSQL NOTIFY; a
 * viewer who may not read the request gets nothing.
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

describe("live status of a request", () => {
  it("streams the version on connect and again when an approval commits on another connection", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    const abort = new AbortController();
    const first = await requestVersion(request.id, n01.viewer);
    const events = eventReader(requestStatusStream(request.id, n01.viewer, first, abort.signal));

    expect(await events.next()).toEqual({ event: "change", data: { status: "pending", version: first.version } });
    await approveRequest(request.id, {}, p01);
    const change = await events.next();
    expect(change).toMatchObject({ event: "change", data: { status: expect.stringMatching(/approved|activating/) } });
    expect(BigInt(change!.data.version as string)).toBeGreaterThan(BigInt(first.version));

    abort.abort();
    expect(await events.next()).toBeNull();
  });

  it("follows the worker's activation to active, each step as it commits", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const request = await requestAccess(prodAdmin, n01);
    const abort = new AbortController();
    const first = await requestVersion(request.id, n01.viewer);
    const events = eventReader(requestStatusStream(request.id, n01.viewer, first, abort.signal));
    await events.next();
    await approveRequest(request.id, {}, p01);

    // The worker's part, as a worker process runs it: take the queued job and apply the grants.
    const [job] = await takeQueuedJobs<{ requestId: string }>(QUEUES.activate, request.id);
    expect(await activateRequest(job!.requestId, new Date())).toBe("active");
    const statuses: unknown[] = [];
    for (let event = await events.next(); event; event = await events.next()) {
      statuses.push(event.data.status);
      if (event.data.status === "active") break;
    }
    expect(statuses.at(-1)).toBe("active");
    abort.abort();
  });

  it("says nothing of a request its viewer may not read, and ends a stream whose viewer lost sight of it", async () => {
    const n02 = await contextFor("n02@contoso.com");
    const n01 = await contextFor("n01@contoso.com");
    const request = await requestAccess(prodAdmin, n02);
    await expect(requestVersion(request.id, n01.viewer)).rejects.toMatchObject({ code: "NOT_FOUND" });

    // A stream opened for a viewer who cannot read it (as if their access was withdrawn) ends on the next change.
    const abort = new AbortController();
    const events = eventReader(
      requestStatusStream(request.id, n01.viewer, { status: "pending", version: "0" }, abort.signal),
    );
    await events.next();
    const other = new Client({ connectionString: env.DATABASE_URL });
    await other.connect();
    await other.query(`SELECT pg_notify($1, $2)`, [REQUEST_CHANGES_CHANNEL, request.id]).finally(() => other.end());
    expect(await events.next()).toEqual({ event: "gone", data: {} });
    expect(await events.next()).toBeNull();
  });
});
