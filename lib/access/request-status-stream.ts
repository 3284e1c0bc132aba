import "server-only";
import { db } from "@/lib/db/client";
import { requestChanges } from "@/lib/db/request-changes";
import type { SessionUser } from "@/lib/context";
import { loadRequestView } from "./request-queries";

/** How often an idle stream sends a comment, so that proxies and load balancers keep it open. */
export const HEARTBEAT_MS = 15_000;

/** What a live-status event carries: enough for the page to know it is stale, nothing it may not see. */
export interface RequestVersion {
  status: string;
  /** The sequence number of the request's latest audit event: it moves with every change. */
  version: string;
}

/**
 * The request's current version, if the viewer may see it: the same check as reading the request
 * (404 otherwise), made again on every change, so a stream never outlives the viewer's right to see.
 */
export async function requestVersion(requestId: string, viewer: SessionUser): Promise<RequestVersion> {
  const view = await loadRequestView(requestId, viewer);
  const latest = await db.auditEvent.findFirst({
    where: { requestId },
    orderBy: { seq: "desc" },
    select: { seq: true },
  });
  return { status: view.status, version: latest?.seq.toString() ?? "0" };
}

const encoder = new TextEncoder();

/**
 * Server-sent events for one request: its version on connect and after every committed change (heard
 * through PostgreSQL LISTEN/NOTIFY, so from any replica or worker), a heartbeat comment while idle,
 * and the end of the stream when the browser goes away or the viewer may no longer see it.
 * Call after `requestVersion` has authorized the viewer once.
 */
export function requestStatusStream(
  requestId: string,
  viewer: SessionUser,
  first: RequestVersion,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let sent = first.version;
      let isClosed = false;
      let checking: Promise<void> = Promise.resolve();
      const write = (text: string) => {
        if (!isClosed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (isClosed) return;
        isClosed = true;
        cleanup();
        controller.close();
      };
      const check = () => {
        // One re-read at a time, in order: a burst of notifications costs one query each at most.
        checking = checking.then(async () => {
          if (isClosed) return;
          try {
            const next = await requestVersion(requestId, viewer);
            if (next.version === sent) return;
            sent = next.version;
            write(`event: change\ndata: ${JSON.stringify(next)}\n\n`);
          } catch {
            // No longer visible (or the database is away): end; the browser's fallback takes over.
            write("event: gone\ndata: {}\n\n");
            close();
          }
        });
      };
      const unsubscribe = requestChanges.subscribe(requestId, check);
      const unsubscribeStop = requestChanges.onStop(close);
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe();
        unsubscribeStop();
        signal.removeEventListener("abort", close);
      };
      signal.addEventListener("abort", close);
      write(`retry: 3000\nevent: change\ndata: ${JSON.stringify(first)}\n\n`);
      // A change between the first read and LISTEN taking effect would otherwise go unheard.
      // Not listening (the database is away): end, and the browser's EventSource reconnects in 3 s,
      // reading the state afresh each time: polling until LISTEN works again.
      void requestChanges.ready().then(check, close);
    },
    cancel() {
      cleanup();
    },
  });
}
