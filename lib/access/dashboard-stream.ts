import "server-only";
import { can } from "@/lib/auth/permissions";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import { type Change, changeFeed } from "@/lib/db/change-feed";
import { mayView } from "@/lib/domain/affordances";
import { requestViewer } from "./request-view";

/** How often an idle stream sends a comment, so that proxies and load balancers keep it open. */
export const HEARTBEAT_MS = 15_000;

/** Changes heard within this window are told as one: a burst (an activation's grants) costs one re-render. */
export const COALESCE_MS = 100;

/**
 * What the dashboard shows a viewer, as one version: the latest audit event (every change of a
 * request appends one, and so does drift) and their notifications (unread as the header counts them). The layout renders it; a stream
 * opened later compares it, so that a page rendered just before a change is not left stale.
 */
export async function dashboardVersion(viewer: SessionUser): Promise<string> {
  const [latest, notifications] = await Promise.all([
    db.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } }),
    db.$queryRaw<{ total: bigint; unread: bigint }[]>`
      SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL AND resolved_at IS NULL) AS unread
      FROM notifications WHERE recipient_object_id = ${viewer.entraObjectId}::uuid`,
  ]);
  const [counts] = notifications;
  return `${latest?.seq ?? 0}.${counts?.total ?? 0}.${counts?.unread ?? 0}`;
}

interface Routing {
  requesterId: string;
  approverGroupIds: string[];
}

/** Who a request concerns never changes after filing: kept per process, bounded. */
const routingCache = new Map<string, Routing>();
const ROUTING_CACHE_SIZE = 5_000;

async function routingOf(requestId: string): Promise<Routing | null> {
  const cached = routingCache.get(requestId);
  if (cached) return cached;
  const row = await db.accessRequest.findUnique({
    where: { id: requestId },
    select: { requesterId: true, approverGroupIds: true },
  });
  if (!row) return null;
  if (routingCache.size >= ROUTING_CACHE_SIZE) routingCache.delete(routingCache.keys().next().value!);
  routingCache.set(requestId, row);
  return row;
}

/**
 * Whether a committed change touches what this viewer's dashboard shows: a request they may see (the
 * same rule as reading it, lib/domain/affordances.ts), their own notifications, drift and failed
 * jobs for those who administer access; `null` (the feed reconnected, anything may have changed)
 * always does.
 */
export async function concernsViewer(change: Change | null, viewer: SessionUser): Promise<boolean> {
  if (change === null) return true;
  switch (change.kind) {
    case "notification":
      return change.key.toLowerCase() === viewer.entraObjectId.toLowerCase();
    case "drift":
    case "job":
      return can(viewer.roles, "access.administer");
    // For the job workers (lib/jobs/start-jobs.ts): nothing a page shows changed yet.
    case "jobQueued":
      return false;
    case "request": {
      const routing = await routingOf(change.key);
      if (!routing) return false;
      return mayView(requestViewer(viewer), {
        requesterId: routing.requesterId,
        policy: { approverGroupIds: routing.approverGroupIds },
      });
    }
  }
}

const encoder = new TextEncoder();

/**
 * Server-sent events for one signed-in viewer's dashboard: `version` once listening (the page
 * re-renders if it moved since it was rendered), then `change` after every committed change that
 * concerns them (heard through PostgreSQL LISTEN/NOTIFY, from any replica or worker; a burst within
 * COALESCE_MS told once), a heartbeat comment while idle, and the end of the stream when the browser
 * goes away or the process drains. Nothing in an event says what changed: the page re-reads itself,
 * with the viewer's own permissions.
 */
export function dashboardStream(viewer: SessionUser, signal: AbortSignal): ReadableStream<Uint8Array> {
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let isClosed = false;
      let pending: NodeJS.Timeout | null = null;
      let changes = 0;
      const write = (text: string) => {
        if (!isClosed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (isClosed) return;
        isClosed = true;
        cleanup();
        controller.close();
      };
      const tell = () => {
        pending = null;
        changes += 1;
        write(`event: change\ndata: ${JSON.stringify({ change: changes })}\n\n`);
      };
      const onChange = (change: Change | null) => {
        if (isClosed || pending) return;
        concernsViewer(change, viewer).then(
          (concerns) => {
            if (concerns && !isClosed) pending ??= setTimeout(tell, COALESCE_MS);
          },
          // The database is away: say something changed, the page's re-read shows what it can.
          () => {
            pending ??= setTimeout(tell, COALESCE_MS);
          },
        );
      };
      const unsubscribe = changeFeed.subscribe(onChange);
      const unsubscribeStop = changeFeed.onStop(close);
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        clearInterval(heartbeat);
        if (pending) clearTimeout(pending);
        unsubscribe();
        unsubscribeStop();
        signal.removeEventListener("abort", close);
      };
      signal.addEventListener("abort", close);
      // The version is read once LISTEN is in effect: a change committed before is in it, one after is heard.
      // Not listening (the database is away): end, and the browser's EventSource reconnects in 3 s.
      changeFeed
        .ready()
        .then(() => dashboardVersion(viewer))
        .then((version) => write(`retry: 3000\nevent: version\ndata: ${JSON.stringify({ version })}\n\n`), close);
    },
    cancel() {
      cleanup();
    },
  });
}
