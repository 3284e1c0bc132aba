/**
 * Whether an error means "the database is not answering now" (down, restarting, failing over, out
 * of connections) rather than "this request is wrong" or a bug: such a request can be retried in a
 * few seconds, and the caller should hear 503, not 500.
 */

/** Prisma's codes for an unreachable server, a timed-out connection, a closed one, an exhausted pool. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** What @prisma/adapter-pg reports for a socket that failed (DriverAdapterError's `cause.kind`). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
/** Node's socket errors, as pg and pg-boss pass them on. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
/**
 * PostgreSQL's SQLSTATEs for connection exceptions (class 08), a server shutting down or crashed
 * (57P01-57P03: a restart or an HA failover), and too many connections (53300).
 */
const SQLSTATE = /^(08\w{3}|57P0[123]|53300)$/;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== "object" || error === null) return false;
  const { code, kind, originalCode, cause, meta, message } = error as Record<string, unknown>;
  if (typeof code === "string" && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE.test(code)))
    return true;
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  if (typeof originalCode === "string" && SQLSTATE.test(originalCode)) return true;
  // A raw query that failed (P2010) carries the adapter's error, with the SQLSTATE, in its meta.
  const adapterError = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  if (adapterError !== undefined && isDatabaseUnavailable(adapterError, depth + 1)) return true;
  const rawCode = code === "P2010" && typeof message === "string" ? /Code: `(\w+)`/.exec(message)?.[1] : undefined;
  if (rawCode !== undefined && SQLSTATE.test(rawCode)) return true;
  // No connection came free within the transaction's maxWait: the pool is exhausted or the server away.
  if (code === "P2028" && typeof message === "string" && /Unable to start a transaction/.test(message)) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
