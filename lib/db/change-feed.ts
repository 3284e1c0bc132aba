import "server-only";
import { EventEmitter } from "node:events";
import { Client } from "pg";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";

/**
 * The channels the database's triggers notify after a commit, and what each payload is: a request's
 * id (every audit event of a request, migration request_change_notify), a recipient's Entra object
 * id (their notifications), nothing (drift findings, migration dashboard_change_notify; a job that
 * failed for good or was retried, lib/jobs/queue-setup.ts), a queue's name (a job queued that a
 * person waits for, which wakes the workers of that queue: lib/jobs/queue-setup.ts).
 */
export const CHANGE_CHANNELS = {
  request: "request_changes",
  notification: "notification_changes",
  drift: "drift_changes",
  job: "job_changes",
  jobQueued: "job_queued",
} as const;

export type ChangeKind = keyof typeof CHANGE_CHANNELS;

/** One committed change: which kind, and the payload (request id, recipient object id, queue name, or ""). */
export interface Change {
  kind: ChangeKind;
  key: string;
}

const KIND_OF_CHANNEL = new Map<string, ChangeKind>(
  Object.entries(CHANGE_CHANNELS).map(([kind, channel]) => [channel, kind as ChangeKind]),
);

const MAX_BACKOFF_MS = 30_000;

/**
 * One LISTEN connection per process, shared by every open live stream. Each web replica
 * listens on its own, and PostgreSQL tells all of them, so a change committed through any replica
 * (or a worker) reaches a browser connected to any other. Reconnects with backoff, then has every
 * stream re-read what it shows (what changed in the gap was not heard). LISTEN needs a session of its
 * own: behind PgBouncer in transaction mode, DATABASE_LISTEN_URL names a direct connection.
 */
class ChangeFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly stopping = new EventEmitter().setMaxListeners(0);
  private isStopping = false;
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private failures = 0;
  private hasListened = false;
  private retry: NodeJS.Timeout | null = null;

  /**
   * Ends every stream and the LISTEN connection, when the web process begins to drain: Next's server
   * lets requests in flight finish before it exits, and a stream never finishes on its own. Each
   * browser reconnects, to a replica that stays.
   */
  async stop() {
    this.isStopping = true;
    this.stopping.emit("stop");
    await this.client?.end().catch(() => undefined);
  }

  /** Calls `onStop` when the process begins to shut down (at once if it has); returns the unsubscribe. */
  onStop(onStop: () => void): () => void {
    if (this.isStopping) queueMicrotask(onStop);
    this.stopping.on("stop", onStop);
    return () => this.stopping.off("stop", onStop);
  }

  /**
   * Calls `onChange` with every committed change, and with `null` after a lost connection came back
   * (anything may have changed unheard); returns the unsubscribe.
   */
  subscribe(onChange: (change: Change | null) => void): () => void {
    this.emitter.on("change", onChange);
    void this.ensureConnected();
    return () => this.emitter.off("change", onChange);
  }

  /** Resolves once this process is listening (streams send their first state only after). */
  ready(): Promise<void> {
    return this.ensureConnected();
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect() {
    const client = new Client({ connectionString: env.DATABASE_LISTEN_URL ?? env.DATABASE_URL });
    client.on("notification", (message) => {
      const kind = KIND_OF_CHANNEL.get(message.channel);
      if (kind) this.emitter.emit("change", { kind, key: message.payload ?? "" } satisfies Change);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    try {
      await client.connect();
      for (const channel of Object.values(CHANGE_CHANNELS)) await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.failures = 0;
      // Changes made while it was down were not heard: every stream re-reads what it shows.
      if (this.hasListened) this.emitter.emit("change", null);
      this.hasListened = true;
    } catch (error) {
      await client.end().catch(() => undefined);
      this.lost(client, error);
      throw error;
    }
  }

  private lost(client: Client, error: unknown) {
    if (this.isStopping || (this.client && this.client !== client)) return;
    this.client = null;
    if (this.retry) return;
    this.failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 6));
    log.warn({ err: error, retryInMs: delay }, "live status: lost the LISTEN connection");
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.emitter.listenerCount("change") > 0) void this.ensureConnected().catch(() => undefined);
    }, delay);
    this.retry.unref();
  }
}

const globalForChanges = globalThis as unknown as { changeFeed?: ChangeFeed };

/** On globalThis: Next bundles each route separately, and one process needs one connection. */
export const changeFeed = (globalForChanges.changeFeed ??= new ChangeFeed());
