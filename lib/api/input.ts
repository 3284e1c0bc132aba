import "server-only";
import type { z } from "zod";
import { fieldProblems } from "@/lib/access/schemas";
import { assertRequestId } from "@/lib/access/request-record";
import { AppError } from "@/lib/errors";

/** Far above any valid body (justification and comment stop at 2000 characters). */
const MAX_BODY_BYTES = 64 * 1024;

const invalid = (message: string, userMessage: string, fields: Array<{ field: string; message: string }> = []) =>
  new AppError("INVALID_INPUT", { message, userMessage, fields });

const notAnObject = (detail: string) =>
  invalid(`body is not a JSON object: ${detail}`, `The request body must be a JSON object (${detail}).`);

/**
 * The JSON body, checked against `schema`. An empty body counts as `{}`, so that approve and
 * cancel can be posted without one; whatever the schema requires is then reported per field.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw notAnObject("it is too large");
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw notAnObject("it is too large");
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
