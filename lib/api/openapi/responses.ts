/** The parts every operation of the document shares: its parameters, success and error responses. */
import { z } from "zod";
import type {
  ZodObjectInput,
  ZodOpenApiOperationObject,
  ZodOpenApiResponseObject,
  ZodOpenApiResponsesObject,
} from "zod-openapi";
import { ZApiError } from "@/lib/schemas/error";

export const ZRequestIdParam = z.guid().meta({ param: { id: "RequestId" } });

export const ZCorrelationIdParam = z
  .string()
  .max(64)
  .optional()
  .meta({
    param: { id: "CorrelationId" },
    description: "Your id for this call (letters, digits, `.`, `_`, `:`, `-`; up to 64), echoed back.",
  });

export const ZCorrelationIdHeader = z.string().meta({
  header: { id: "CorrelationId" },
  description: "The id of this call in our logs and audit trail: yours if you sent a usable one.",
});

/** The correlation id header every operation takes, and the request id of operations on one request. */
export const withCorrelationId = { header: z.object({ "x-correlation-id": ZCorrelationIdParam }) };
export const onOneRequest = { ...withCorrelationId, path: z.object({ id: ZRequestIdParam }) };

const ERRORS = {
  BadRequest: [400, "Invalid input: malformed JSON, a field that fails validation or a request the policy refuses."],
  Unauthenticated: [401, "No valid session cookie or bearer token."],
  Forbidden: [
    403,
    "Not allowed: missing permission, not eligible, not an approver of this request, self-approval, an app-only token, a cookie-authenticated POST without this site's Origin, or (`STEP_UP_REQUIRED`) a role whose policy needs a fresh sign-in that the request did not prove.",
  ],
  NotFound: [404, "No such request, or the caller may not see it (or, for the holder's actions, is not theirs)."],
  PayloadTooLarge: [413, "The body is over 64 KiB (65,536 bytes), chunked or not; nothing was recorded."],
  UnsupportedMediaType: [415, "A body sent without `Content-Type: application/json`; nothing was recorded."],
  Conflict: [
    409,
    "The request is not in a state that allows this (already decided, cancelled, timed out, not active, not failed).",
  ],
  TooManyRequests: [
    429,
    "A rate limit is used up (RATE_LIMITED): too many requests filed, decisions, exports or step-up sign-ins by the caller in the window (RATE_LIMIT_* settings). Nothing was recorded; retry after the `Retry-After` seconds.",
  ],
  UpstreamFailure: [502, "Entra ID or Microsoft Graph did not answer as expected; nothing was recorded."],
  Unavailable: [
    503,
    "The database is not answering now (a restart or failover); nothing was recorded. Retry after the `Retry-After` seconds.",
  ],
  InternalError: [500, "Unexpected failure; the message carries a reference to give to an admin."],
} as const;

export type ErrorResponse = keyof typeof ERRORS;

const RETRY_AFTER = z.int().optional().meta({ description: "Seconds until a retry may succeed." });

/** The error responses, as components: every one carries the Error body and the correlation id. */
export const errorResponses = Object.fromEntries(
  Object.entries(ERRORS).map(([name, [, description]]) => [
    name,
    {
      description,
      headers: z.object({
        "x-correlation-id": ZCorrelationIdHeader,
        ...(name === "TooManyRequests" ? { "retry-after": RETRY_AFTER } : {}),
      }),
      content: { "application/json": { schema: ZApiError } },
    } satisfies ZodOpenApiResponseObject,
  ]),
);

/** A success response: a JSON body described by `schema`, with the correlation id and any `headers`. */
export const success = (
  description: string,
  schema: z.ZodType,
  headers: Record<string, z.ZodType> = {},
): ZodOpenApiResponseObject => ({
  description,
  headers: z.object({ "x-correlation-id": ZCorrelationIdHeader, ...headers }),
  content: { "application/json": { schema } },
});

export const AUTHENTICATED_ERRORS: ErrorResponse[] = ["Unauthenticated", "Forbidden", "UpstreamFailure"];
/** What any operation that takes a JSON body may answer about the body itself. */
export const BODY_ERRORS: ErrorResponse[] = ["BadRequest", "PayloadTooLarge", "UnsupportedMediaType"];

/** An operation's responses: its success, the listed errors, and the 503 and 500 every call can give. */
export function responses(
  ok: Record<string, ZodOpenApiResponseObject>,
  ...errors: ErrorResponse[]
): ZodOpenApiResponsesObject {
  const all: ZodOpenApiResponsesObject = { ...ok };
  for (const name of [...errors, "Unavailable" as const, "InternalError" as const])
    all[`${ERRORS[name][0]}`] = { $ref: `#/components/responses/${name}` };
  return all;
}

type About = Pick<ZodOpenApiOperationObject, "operationId" | "summary" | "description" | "tags">;

/** A read that takes a query string: its answer, or a 400 naming the parameter that does not parse. */
export const readWithQuery = (about: About, query: ZodObjectInput, ok: ZodOpenApiResponseObject) => ({
  ...about,
  requestParams: { ...withCorrelationId, query },
  responses: responses({ "200": ok }, "BadRequest", ...AUTHENTICATED_ERRORS),
});

/** The body an operation takes, as JSON. */
export const jsonBody = (schema: z.ZodType, required: boolean): ZodOpenApiOperationObject["requestBody"] => ({
  required,
  content: { "application/json": { schema } },
});
