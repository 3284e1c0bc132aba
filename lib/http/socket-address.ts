import { randomUUID } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/**
 * The address of the TCP peer of each request, which a route handler or server action cannot see:
 * Next gives them a Request built from the headers, never the socket. Next does not help either: it
 * sets X-Forwarded-For to the socket's address only when the request has none
 * (node_modules/next/dist/server/base-server.js:604, `req.headers['x-forwarded-for'] ??=
 * socket.remoteAddress`, Next 16.4), so a client that sends its own X-Forwarded-For hides the
 * address it connects from.
 *
 * So the server process writes the socket's address into a request header before Next reads the
 * request: Node publishes every request on the `http.server.request.start` diagnostics channel,
 * with its socket, before the server's `request` listeners run. The header's name holds a random
 * id chosen when the process starts, so no client can send it; a request that did not pass
 * through the hook (one that arrived before it was installed, a test calling a handler directly)
 * has no socket address, and its client IP is unknown rather than taken from what it sent.
 */

// On globalThis: instrumentation.ts and the route bundles are separate module graphs in one process.
const HEADER = Symbol.for("aks-jit.socket-address-header");
type Registry = typeof globalThis & { [HEADER]?: string };
const registry = globalThis as Registry;

/** Installs the hook (once per process; instrumentation.ts calls it first) and returns the header's name. */
export function recordSocketAddresses(): string {
  const existing = registry[HEADER];
  if (existing) return existing;
  const header = `x-aks-jit-socket-${randomUUID()}`;
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    if (socket.remoteAddress) request.headers[header] = socket.remoteAddress;
    else delete request.headers[header];
  });
  registry[HEADER] = header;
  return header;
}

/** The request's socket address as the hook recorded it (not yet validated), or null if it did not. */
export function socketAddressOf(headers: { get(name: string): string | null }): string | null {
  const header = registry[HEADER];
  return header ? headers.get(header) : null;
}
