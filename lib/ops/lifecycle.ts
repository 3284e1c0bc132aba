import "server-only";
import { log } from "@/lib/log";

/**
 * Where this process is in its life, for the readiness probes: a process that is draining answers
 * 503 at once, so that Kubernetes stops sending it work while it finishes what it holds.
 */
const globalForLifecycle = globalThis as unknown as { drain?: Promise<void> };

export const isDraining = () => globalForLifecycle.drain !== undefined;

/**
 * On SIGTERM or SIGINT: mark the process draining, run `drain` (stop taking jobs, let those in hand
 * finish) and exit 0, or 1 if it failed. With `exitAfterDrain: false`, the caller's own handler
 * exits instead (Next's server closes itself, see holdExitUntilDrained).
 */
export function drainOnSignals(drain: () => Promise<void>, { exitAfterDrain = true } = {}) {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      if (globalForLifecycle.drain) return;
      log.info({ signal }, "draining: finishing the work in hand before exiting");
      globalForLifecycle.drain = drain().then(
        () => log.info("drained"),
        (error: unknown) => {
          log.error({ err: error }, "drain failed");
          process.exitCode = 1;
        },
      );
      if (exitAfterDrain) void globalForLifecycle.drain.then(() => process.exit());
    });
  }
}

/**
 * Next's standalone server handles SIGTERM itself: it stops accepting connections, lets the
 * requests in flight finish, then calls process.exit(143). This holds that exit until our own drain
 * is done (jobs handed back), and exits 0 after a complete, orderly stop. Other exits pass through.
 */
export function holdExitUntilDrained() {
  const exit = process.exit.bind(process);
  const SIGNAL_EXITS = new Set([130, 143]);
  process.exit = ((code?: number | string | null) => {
    const drain = globalForLifecycle.drain;
    if (!drain || !SIGNAL_EXITS.has(Number(code))) return exit(code);
    void drain.then(() => exit(process.exitCode ?? 0));
    return undefined as never;
  }) as typeof process.exit;
}
