import "server-only";
import type { ActionContext } from "@/lib/context";
import type { z } from "zod";
import { expectedErrorOf, type AppError } from "@/lib/errors";
import type { ApiErrorBody } from "@/lib/schemas/error";
import { log, withCorrelation } from "@/lib/log";
import { authenticate } from "./authenticate";
import { originFromHeaders } from "@/lib/auth/request-origin";
import { env } from "@/lib/config/env";
import { securityHeaders } from "@/lib/http/security-headers";

/** What a route answers when all went well; errors are thrown and shaped here. */
export interface ApiReply {
  status: number;
  /** sent as JSON, or as it is produced for a stream */
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A JSON answer, parsed with the schema the OpenAPI document describes it with: an answer that has
 * drifted from its documented shape fails here, loudly (a 500 with a reference), not at the client.
 */
export const ok = <S extends z.ZodType>(schema: S, body: z.input<S>, headers?: Record<string, string>): ApiReply => ({
  status: 200,
  body: schema.parse(body),
  headers,
});
/** A body sent while it is produced (exports), with its content type and disposition in `headers`. */
export const streamed = (body: ReadableStream<Uint8Array>, headers: Record<string, string>): ApiReply => ({
  status: 200,
  body,
  headers,
});
export const created = <S extends z.ZodType>(schema: S, body: z.input<S>, location: string): ApiReply => ({
  status: 201,
  body: schema.parse(body),
  headers: { location },
});

/** The one error shape of the API, described by its schema (lib/schemas/error.ts). */
export type { ApiErrorBody } from "@/lib/schemas/error";

// Next passes `{ params: Promise<...> }`; static routes get an empty object.
type Segment<P> = { params: Promise<P> };

/**
 * A JSON API route: authenticates the caller (authenticate.ts), runs the handler with an
 * ActionContext, and turns what it returns or throws into a response with the correlation id and
 * `Cache-Control: no-store` (answers are per user and often about access: no cache may keep them).
 */
export function apiRoute<P extends Record<string, string> = Record<string, string>>(
  handler: (args: { request: Request; context: ActionContext; params: P }) => Promise<ApiReply>,
) {
  return async (request: Request, segment: Segment<P>): Promise<Response> => {
    const origin = originFromHeaders(request.headers, "api");
    return withCorrelation(origin.correlationId, async () => {
      try {
        const now = new Date();
        const viewer = await authenticate(request, now);
        const params = await segment.params;
        return respond(await handler({ request, context: { viewer, origin, now }, params }), origin.correlationId);
      } catch (error) {
        return respond(errorReply(error, origin.correlationId, request), origin.correlationId);
      }
    });
  };
}

/** A route anyone may call (the OpenAPI document), with the same headers and error handling. */
export function publicApiRoute(handler: (args: { request: Request }) => Promise<ApiReply>) {
  return async (request: Request): Promise<Response> => {
    const { correlationId } = originFromHeaders(request.headers, "api");
    try {
      return respond(await handler({ request }), correlationId);
    } catch (error) {
      return respond(errorReply(error, correlationId, request), correlationId);
    }
  };
}

/**
 * The security headers proxy.ts gives every other response: requests with a body do not pass the
 * proxy (see its matcher), so the API sets them itself, on every answer. No nonce: API_CSP has none.
 */
const apiSecurityHeaders = () =>
  securityHeaders("/api", "", {
    appUrl: env.APP_URL,
    authorityHost: env.ENTRA_AUTHORITY_HOST,
    isDevelopment: env.NODE_ENV === "development",
  });

function respond(reply: ApiReply, correlationId: string): Response {
  const init = { status: reply.status, headers: reply.headers };
  const response =
    reply.body instanceof ReadableStream ? new Response(reply.body, init) : Response.json(reply.body, init);
  for (const [name, value] of Object.entries(apiSecurityHeaders())) response.headers.set(name, value);
  response.headers.set("cache-control", "no-store");
  response.headers.set("x-correlation-id", correlationId);
  return response;
}

function errorHeaders(status: number, error?: AppError): Record<string, string> | undefined {
  // RFC 6585: when a rate limit lets the caller try again.
  if (status === 429 && error?.retryAfterSeconds) return { "retry-after": String(error.retryAfterSeconds) };
  // RFC 6750: tell a client without valid credentials how to authenticate.
  if (status === 401) return { "www-authenticate": 'Bearer realm="aks-jit"' };
  // RFC 9110: a database restart or failover is over in seconds.
  if (status === 503) return { "retry-after": "5" };
  return undefined;
}

function errorReply(error: unknown, correlationId: string, request: Request): ApiReply {
  const route = `${request.method} ${new URL(request.url).pathname}`;
  const expected = expectedErrorOf(error);
  if (expected) {
    const { code, status, userMessage, fields, link } = expected;
    // Expected refusals are routine; an upstream failure is worth a look.
    if (status >= 500) log.warn({ correlationId, route, code, err: expected.message }, "api upstream failure");
    else log.info({ correlationId, route, code, reason: expected.message }, "api request refused");
    const body: ApiErrorBody = {
      error: { code, message: userMessage, ...(fields.length > 0 ? { fields } : {}), ...(link ? { link } : {}) },
    };
    return { status, body, headers: errorHeaders(status, expected) };
  }
  log.error({ correlationId, route, err: error instanceof Error ? error.stack : String(error) }, "api request failed");
  const body: ApiErrorBody = {
    error: {
      code: "INTERNAL",
      message: `Something went wrong on our side. If it keeps happening, give your admin this reference: ${correlationId}.`,
    },
  };
  return { status: 500, body };
}
