/** Sending a statement again when the database could not take it because it was restarting. */
/**
 * Failures raised while opening a connection, before the statement reached the server, so sending
 * it again cannot apply it twice: the server is starting or stopping (57P03 cannot_connect_now,
 * https://www.postgresql.org/docs/current/errcodes-appendix.html) or not listening.
 */
export function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "57P03" || code === "ECONNREFUSED";
}

const RECONNECT_WITHIN_MS = 20_000;

/** Runs a statement, waiting out a database restart or failover (up to `withinMs`). */
export async function queryThroughRestart<T>(run: () => Promise<T>, withinMs = RECONNECT_WITHIN_MS): Promise<T> {
  const giveUpAt = Date.now() + withinMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await run();
    } catch (error) {
      if (!isConnectFailure(error) || Date.now() + delayMs > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * The database went away under a statement or before it (restart, failover, network): the pg and
 * PostgreSQL codes of class 08 (connection exception) and 57P01-57P03 (operator intervention), or a
 * connection ended by the server.
 */
export function isDatabaseGone(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (code.startsWith("08") || /^57P0[123]$/.test(code))) return true;
  if (code === "ECONNREFUSED" || code === "ECONNRESET") return true;
  return typeof message === "string" && /Connection terminated/i.test(message);
}
