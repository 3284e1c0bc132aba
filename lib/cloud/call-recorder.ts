import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { countProviderCall } from "@/lib/metrics/record";
import { parseRetryAfter } from "./providers/graph-errors";

/**
 * One HTTP attempt at Graph or ARM: each retry is a call of its own. Stored as the data of a
 * "provider.call" audit event, so change it only by adding optional fields.
 */
export interface ProviderCall {
  service: "graph" | "arm";
  method: string;
  /** URL path and query, without the host */
  path: string;
  /** the JSON body sent, with secret-looking fields replaced by "[redacted]"; null without a body */
  requestBody: unknown;
  /** null when no response came (connection refused or dropped, timeout) */
  status: number | null;
  /** Graph: `request-id` (else `client-request-id`); ARM: `x-ms-request-id` */
  providerRequestId: string | null;
  /** until the response headers arrived, or the attempt failed */
  durationMs: number;
  /** why no response came, or the service's `error.code: error.message` for a status of 400 or more */
  error?: string;
}

export type ProviderOperation = "apply" | "extend" | "remove" | "read" | "list" | "revokeSignInSessions";

export type RecordedCalls<T> = { calls: ProviderCall[] } & (
  { ok: true; result: T; error?: undefined } | { ok: false; result?: undefined; error: unknown }
);

// On globalThis, like the clients in credentials.ts: a client built by one copy of this module (a
// hot reload, another Next bundle) must record into the scope that another copy opened.
const globalForCalls = globalThis as unknown as { providerCalls?: AsyncLocalStorage<ProviderCall[]> };
const scope = (globalForCalls.providerCalls ??= new AsyncLocalStorage<ProviderCall[]>());

/**
 * Runs `fn` and returns every Graph and ARM call it made through the app's clients (credentials.ts),
 * in the order they ended, whether `fn` succeeded or threw: a failed grant's calls are audited too.
 * Never throws: the outcome is `ok` with `result`, or not `ok` with `error`, for the caller to
 * rethrow after auditing. Calls go to the innermost scope only; outside any scope nothing is kept.
 */
export async function recordingCalls<T>(fn: () => Promise<T>): Promise<RecordedCalls<T>> {
  const calls: ProviderCall[] = [];
  try {
    const result = await scope.run(calls, fn);
    return { ok: true, calls: [...calls], result };
  } catch (error) {
    return { ok: false, calls: [...calls], error };
  }
}

/** A Graph client middleware, to be placed after the RetryHandler so that it sees every attempt. */
export function graphCallRecorder(): Middleware {
  let next: Middleware | undefined;
  return {
    setNext: (middleware) => void (next = middleware),
    execute: async (context: Context) => {
      if (!next) throw new Error("graphCallRecorder must not be the last middleware of the chain");
      const send = next;
      const url = typeof context.request === "string" ? context.request : context.request.url;
      const method = context.options?.method ?? (typeof context.request === "string" ? "GET" : context.request.method);
      await recording(
        "graph",
        method,
        url,
        context.options?.body,
        () => send.execute(context),
        async () => {
          const response = context.response;
          if (!response) return { status: null, providerRequestId: null };
          const headers = response.headers;
          return {
            status: response.status,
            providerRequestId: headers.get("request-id") ?? headers.get("client-request-id"),
            retryAfterSeconds: parseRetryAfter(headers.get("retry-after")),
            error: response.status >= 400 ? serviceError(await response.clone().text()) : undefined,
          };
        },
      );
    },
  };
}

/** A core-rest-pipeline policy for the ARM client's "perRetry" position: it sees every attempt. */
export function armCallRecorder(): PipelinePolicy {
  return {
    name: "aksJitCallRecorder",
    sendRequest: (request, next) =>
      recording(
        "arm",
        request.method,
        request.url,
        request.body,
        () => next(request),
        async (response) => ({
          status: response.status,
          providerRequestId: response.headers.get("x-ms-request-id") ?? null,
          retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
          error: response.status >= 400 ? serviceError(response.bodyAsText) : undefined,
        }),
      ),
  };
}

type Outcome = Pick<ProviderCall, "status" | "providerRequestId" | "error"> & { retryAfterSeconds?: number };

async function recording<R>(
  service: ProviderCall["service"],
  method: string,
  url: string,
  body: unknown,
  send: () => Promise<R>,
  outcomeOf: (result: R) => Promise<Outcome>,
): Promise<R> {
  // Metrics count every attempt; the audit keeps those made in a recordingCalls scope.
  const calls = scope.getStore();
  const keep = (made: ProviderCall, retryAfterSeconds?: number) => {
    countProviderCall(made, retryAfterSeconds);
    calls?.push(made);
  };
  const call = { service, method: method.toUpperCase(), path: pathOf(url), requestBody: bodyOf(body) };
  // A client span per attempt when tracing is on (lib/ops/tracing.ts), whichever HTTP stack the SDK uses.
  return tracer().startActiveSpan(
    `${call.method} ${service}`,
    { kind: SpanKind.CLIENT, attributes: { "http.request.method": call.method, "url.path": call.path.split("?")[0] } },
    async (span) => {
      const startedAt = performance.now();
      const elapsed = () => Math.round(performance.now() - startedAt);
      try {
        let result: R;
        try {
          result = await send();
        } catch (error) {
          const failed = {
            ...call,
            status: null,
            providerRequestId: null,
            durationMs: elapsed(),
            error: describe(error),
          };
          keep(failed);
          span.setStatus({ code: SpanStatusCode.ERROR, message: failed.error });
          throw error;
        }
        const durationMs = elapsed();
        const { error, retryAfterSeconds, ...outcome } = await outcomeOf(result);
        keep({ ...call, ...outcome, durationMs, ...(error !== undefined && { error }) }, retryAfterSeconds);
        if (outcome.status !== null) span.setAttribute("http.response.status_code", outcome.status);
        if (outcome.providerRequestId) span.setAttribute("aks_jit.provider_request_id", outcome.providerRequestId);
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        return result;
      } finally {
        span.end();
      }
    },
  );
}

const tracer = () => trace.getTracer("aks-jit");

function pathOf(url: string) {
  try {
    const { pathname, search } = new URL(url);
    return `${pathname}${search}`;
  } catch {
    return url;
  }
}

const SECRET_KEY = /secret|password|token|assertion|key/i;

/** Both clients send JSON as a string; anything else (a stream, a form) is not worth keeping, or safe to. */
function bodyOf(body: unknown): unknown {
  if (body === undefined || body === null || body === "") return null;
  if (typeof body !== "string") return "[body not recorded: not JSON]";
  try {
    return redact(JSON.parse(body));
  } catch {
    return "[body not recorded: not JSON]";
  }
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redact(item)]),
  );
}

/** Graph and ARM share the error envelope `{"error": {"code", "message"}}`. */
function serviceError(body: string | null | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const { error } = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const parts = [error?.code, error?.message].filter((part) => typeof part === "string" && part !== "");
    return parts.length > 0 ? parts.join(": ") : undefined;
  } catch {
    return undefined;
  }
}

/** "fetch failed (UND_ERR_SOCKET: other side closed)": Node nests the socket's reason as the cause. */
function describe(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const head = typeof code === "string" && code !== "" ? `${code}: ${error.message}` : error.message;
  return error.cause === undefined || depth >= 3 ? head : `${head} (${describe(error.cause, depth + 1)})`;
}
