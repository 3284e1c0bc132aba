import "server-only";
import { EventEmitter } from "node:events";
import { Client } from "pg";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";

/** The channel the audit_events trigger notifies (migration request_change_notify), payload: the request id. */
export const REQUEST_CHANGES_CHANNEL = "request_changes";

const MAX_BACKOFF_MS = 30_000;

/**
 * One LISTEN connection per process, shared by every open live-status stream. Each web replica
 * listens on its own, and PostgreSQL tells all of them, so a change committed through any replica
 * (or a worker) reaches a browser connected to any other. Reconnects with backoff, then has every
 * stream re-read its request (what changed in the gap was not heard). LISTEN needs a session of its
 * own: behind PgBouncer in transaction mode, DATABASE_LISTEN_URL names a direct connection.
 */
class RequestChanges {
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

  /** Calls `onChange` whenever the request changes (after commit); returns the unsubscribe. */
  subscribe(requestId: string, onChange: () => void): () => void {
    this.emitter.on(requestId, onChange);
    void this.ensureConnected();
    return () => this.emitter.off(requestId, onChange);
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
      if (message.channel === REQUEST_CHANGES_CHANNEL && message.payload) this.emitter.emit(message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`LISTEN ${REQUEST_CHANGES_CHANNEL}`);
      this.client = client;
      this.failures = 0;
      // Changes made while it was down were not heard: every stream re-reads its request.
      if (this.hasListened) for (const id of this.emitter.eventNames()) this.emitter.emit(id);
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
      if (this.emitter.eventNames().length > 0) void this.ensureConnected().catch(() => undefined);
    }, delay);
    this.retry.unref();
  }
}

const globalForChanges = globalThis as unknown as { requestChanges?: RequestChanges };

/** On globalThis: Next bundles each route separately, and one process needs one connection. */
export const requestChanges = (globalForChanges.requestChanges ??= new RequestChanges());
