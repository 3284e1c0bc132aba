import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { openApiDocument } from "@/lib/api/openapi";

/**
 * Every answer the API harness receives, checked against the OpenAPI document: the operation must
 * document the status, the content type, and (for JSON) a schema the body satisfies, types,
 * nullability, enums and exact fields included. The operations answered with success are counted,
 * so that a test file can insist that every documented operation was exercised.
 */

type Json = Record<string, unknown>;

const document = openApiDocument() as unknown as Json & { paths: Record<string, Record<string, Json>> };
const DOCUMENT_ID = "openapi.json";

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, DOCUMENT_ID);

const pointer = (...parts: string[]) => parts.map((p) => `/${p.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

/** The document's path templates, as patterns for concrete paths. */
const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

const validators = new Map<string, ValidateFunction>();
function validatorAt(location: string) {
  let validate = validators.get(location);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${location}` });
    validators.set(location, validate);
  }
  return validate;
}

/** A `$ref` into the document's components, followed to what it names and where that is. */
function follow(node: Json, location: string): [Json, string] {
  const ref = node.$ref;
  if (typeof ref !== "string") return [node, location];
  const target = ref
    .slice(2)
    .split("/")
    .reduce<Json>((at, key) => at[key] as Json, document);
  return follow(target, ref.slice(1));
}

const exercised = new Map<string, Set<number>>();

export interface ObservedResponse {
  method: string;
  /** the path called, without the query string */
  path: string;
  /** the operation's path template, when the caller knows it (a fuzzed id may not look like one) */
  template?: string;
  status: number;
  contentType: string | null;
  /** the body, parsed when it is JSON */
  body: unknown;
}

/** Throws, saying what differs, when the answer is not one the document describes. */
export function checkAgainstDocument({ method, path, template, status, contentType, body }: ObservedResponse) {
  const match = templates.find((candidate) =>
    template ? candidate.template === template : candidate.pattern.test(path),
  );
  const operation = match && document.paths[match.template]![method.toLowerCase()];
  if (!match || !operation) throw new Error(`${method} ${path} is not an operation of the OpenAPI document`);
  const where = `${method} ${match.template} → ${status}`;
  const responses = operation.responses as Record<string, Json>;
  if (!responses[String(status)]) throw new Error(`${where}: the operation does not document this status`);
  const [response, location] = follow(
    responses[String(status)]!,
    pointer("paths", match.template, method.toLowerCase(), "responses", String(status)),
  );
  const content = (response.content ?? {}) as Record<string, Json>;
  const mediaType = contentType?.split(";")[0]!.trim() ?? "";
  if (!content[mediaType])
    throw new Error(`${where}: answered ${mediaType || "no content type"}, documented ${Object.keys(content)}`);
  if (mediaType === "application/json") {
    const validate = validatorAt(`${location}${pointer("content", mediaType, "schema")}`);
    if (!validate(body))
      throw new Error(`${where}: the body does not match its schema: ${ajv.errorsText(validate.errors)}`);
  }
  const operationId = operation.operationId as string;
  exercised.set(operationId, (exercised.get(operationId) ?? new Set()).add(status));
}

/** The documented operations no call has yet answered with success (2xx) in this test file. */
export function operationsNotExercised(): string[] {
  return Object.values(document.paths)
    .flatMap((item) => Object.values(item).map((operation) => operation.operationId as string))
    .filter((operationId) => ![...(exercised.get(operationId) ?? [])].some((status) => status < 300));
}
