import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { trace } from "@opentelemetry/api";
import pino from "pino";
import { env } from "@/lib/config/env";

/**
 * What the code running now works for: the correlation id of the request or job, which its audit
 * rows carry too. On globalThis, so that every Next bundle of this module shares one.
 */
const globalForLog = globalThis as unknown as { correlation?: AsyncLocalStorage<{ correlationId: string }> };
const correlation = (globalForLog.correlation ??= new AsyncLocalStorage());

/** Runs `work` with `correlationId` on every log line it writes. */
export const withCorrelation = <T>(correlationId: string, work: () => T): T => correlation.run({ correlationId }, work);

/** Puts `correlationId` on every log line for the rest of this request (a server action, a page). */
export const enterCorrelation = (correlationId: string) => correlation.enterWith({ correlationId });

/**
 * JSON logs on stdout, for whatever collects them, each line with the correlation id and, when
 * traces are on (OTEL_EXPORTER_OTLP_ENDPOINT), the trace and span ids: a log line leads to its
 * trace and its audit rows. Never log tokens, secrets or cookie values.
 */
export const log = pino({
  level: env.LOG_LEVEL,
  base: { service: "aks-jit" },
  mixin() {
    const span = trace.getActiveSpan()?.spanContext();
    return {
      ...correlation.getStore(),
      ...(span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {}),
    };
  },
  redact: {
    paths: ["*.accessToken", "*.idToken", "*.refreshToken", "*.code", "*.clientSecret", "*.cookie"],
    censor: "[redacted]",
  },
});
