import "server-only";
import type { z } from "zod";
import { fieldProblems } from "@/lib/validation/parse-input";
import { assertRequestId } from "@/lib/access/request-record";
import { AppError } from "@/lib/errors";
import { describeBytes, JSON_BODY_LIMIT_BYTES } from "@/lib/http/body-limits.js";

const invalid = (message: string, userMessage: string, fields: Array<{ field: string; message: string }> = []) =>
  new AppError("INVALID_INPUT", { message, userMessage, fields });

const notAnObject = (detail: string) =>
  invalid(`body is not a JSON object: ${detail}`, `The request body must be a JSON object (${detail}).`);

const tooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", {
    message: `body over ${JSON_BODY_LIMIT_BYTES} bytes`,
    userMessage: `The request body is larger than the limit of ${describeBytes(JSON_BODY_LIMIT_BYTES)} (${JSON_BODY_LIMIT_BYTES} bytes). Send only the fields this operation takes.`,
  });

const notJson = (contentType: string | null) =>
  new AppError("UNSUPPORTED_MEDIA_TYPE", {
    message: `body sent as ${contentType ?? "no content type"}`,
    userMessage: `Send the body as JSON with the header "Content-Type: application/json" (this request's Content-Type is ${contentType ? `"${contentType.slice(0, 100)}"` : "missing"}).`,
  });

/** application/json, with or without parameters such as `charset=utf-8`. */
const isJsonMediaType = (contentType: string) => contentType.split(";")[0]!.trim().toLowerCase() === "application/json";

/**
 * The body's bytes, read while they arrive and refused as soon as they pass `limit`: a chunked body
 * has no Content-Length to check first, and reading it whole would hold all of it in memory. The
 * rest is left unread (not cancelled: cancelling would reset the connection before the 413 is sent).
 */
async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(next.value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}

/**
 * The JSON body, checked against `schema`. An empty body counts as `{}`, so that approve and
 * cancel can be posted without one; whatever the schema requires is then reported per field. A body
 * needs `Content-Type: application/json` (415 otherwise) and at most JSON_BODY_LIMIT_BYTES (413).
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonMediaType(contentType)) throw notJson(contentType);
  const bytes = await readBounded(request, JSON_BODY_LIMIT_BYTES);
  if (bytes.byteLength > 0 && contentType === null) throw notJson(contentType);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw notAnObject("it is not valid UTF-8");
  }
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      throw notAnObject("it is not valid JSON");
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw notAnObject(`got ${Array.isArray(body) ? "an array" : body === null ? "null" : typeof body}`);
  return parseWith(schema, body, "request body");
}

/**
 * The query string, checked against `schema`. A parameter named in `repeatable` is passed on as
 * every value given; any other repeated parameter as its last value.
 */
export function readQuery<S extends z.ZodType>(
  request: Request,
  schema: S,
  { repeatable = [] }: { repeatable?: readonly string[] } = {},
): z.output<S> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string | string[]> = Object.fromEntries(params);
  for (const name of repeatable) if (params.has(name)) query[name] = params.getAll(name);
  return parseWith(schema, query, "query string");
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldProblems(parsed.error);
  throw invalid(`${what} failed validation`, fields.map((f) => f.message).join(" "), fields);
}

/** Request ids are UUIDs; anything else cannot exist, and must not reach a `::uuid` cast as a 500. */
export function requestIdFrom(params: { id: string }): string {
  assertRequestId(params.id);
  return params.id.toLowerCase();
}
