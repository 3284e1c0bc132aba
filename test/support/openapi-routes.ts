import path from "node:path";
import { openApiDocument } from "@/lib/api/openapi";
import { ROOT } from "../../scripts/lib/paths";

/** The JSON API's operations as the OpenAPI document describes them, with their route handlers. */

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  $ref?: string;
  [keyword: string]: unknown;
};

type Handler = (request: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface ApiOperation {
  method: "GET" | "POST";
  /** the OpenAPI path, e.g. /api/v1/requests/{id}/approve */
  path: string;
  operationId: string;
  /** the JSON body's schema, its $refs resolved */
  body?: JsonSchema;
  /** query parameters by name, with their schemas */
  query: Record<string, JsonSchema>;
  hasIdParameter: boolean;
  handler: Handler;
}

interface Operation {
  operationId: string;
  parameters?: JsonSchema[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
}
type Document = { paths: Record<string, { get?: Operation; post?: Operation }>; components: unknown };

const resolve = (document: Document, schema: JsonSchema): JsonSchema => {
  if (!schema.$ref) return schema;
  const [, , section, name] = schema.$ref.split("/");
  const components = document.components as unknown as Record<string, Record<string, JsonSchema>>;
  return resolve(document, components[section!]![name!]!);
};

/** Every operation of the document, its handler imported from the file Next routes the path to. */
export async function apiOperations(): Promise<ApiOperation[]> {
  const document = openApiDocument() as unknown as Document;
  const operations: ApiOperation[] = [];
  for (const [apiPath, item] of Object.entries(document.paths)) {
    const file = path.join(ROOT, "app", apiPath.replace(/\{(\w+)\}/g, "[$1]"), "route.ts");
    const routeModule = (await import(file)) as Record<string, Handler>;
    for (const method of ["GET", "POST"] as const) {
      const operation = item[method.toLowerCase() as "get" | "post"];
      if (!operation) continue;
      const handler = routeModule[method];
      if (!handler) throw new Error(`${file} has no ${method} handler, but the document lists ${method} ${apiPath}`);
      const parameters = (operation.parameters ?? []).map((parameter) => resolve(document, parameter as JsonSchema));
      const query = Object.fromEntries(
        parameters
          .filter((parameter) => parameter.in === "query")
          .map((parameter) => [parameter.name as string, resolve(document, parameter.schema as JsonSchema)]),
      );
      const bodySchema = operation.requestBody?.content["application/json"].schema as JsonSchema | undefined;
      operations.push({
        method,
        path: apiPath,
        operationId: operation.operationId,
        body: bodySchema ? resolve(document, bodySchema) : undefined,
        query,
        hasIdParameter: parameters.some((parameter) => parameter.in === "path" && parameter.name === "id"),
        handler,
      });
    }
  }
  return operations;
}

/** The schema's own, or the first non-null branch's, type and format. */
export function scalarOf(schema: JsonSchema): JsonSchema {
  if (schema.anyOf) return scalarOf(schema.anyOf.find((branch) => branch.type !== "null") ?? {});
  return schema;
}

export const isStringField = (schema: JsonSchema) => scalarOf(schema).type === "string";
export const isDateField = (schema: JsonSchema) => scalarOf(schema).format === "date-time";
/** An array of strings, such as the audit's repeated `type`. */
export const isStringListField = (schema: JsonSchema) =>
  scalarOf(schema).type === "array" && isStringField(scalarOf(schema).items ?? {});
