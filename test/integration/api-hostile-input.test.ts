import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as requestsRoute from "@/app/api/v1/requests/route";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { JSON_BODY_LIMIT_BYTES } from "@/lib/http/body-limits.js";
import { bearer, callApi, session, type Credentials } from "../support/api";
import {
  apiOperations,
  isDateField,
  isStringField,
  isStringListField,
  type ApiOperation,
  type JsonSchema,
} from "../support/openapi-routes";

/**
 * Guards against odd input reaching PostgreSQL, where it was a 500 (NUL or a lone surrogate in any
 * text field, year 0000 in a date): every field of every JSON route refuses it with a 400 naming the
 * field. The table is generated from the OpenAPI document, so a route or field added later is in it.
 */

const HOSTILE_TEXT = { NUL: "before\u0000after", "a lone surrogate": "before\uD800after" };
const OUT_OF_RANGE_DATE = "0000-01-01T00:00:00Z";

interface Case {
  operation: ApiOperation;
  where: "body" | "query";
  field: string;
  what: string;
  value: string;
}

function casesOf(operation: ApiOperation): Case[] {
  const cases: Case[] = [];
  const add = (where: Case["where"], fields: Record<string, JsonSchema>) => {
    for (const [field, schema] of Object.entries(fields)) {
      if (!isStringField(schema) && !isStringListField(schema)) continue;
      for (const [what, value] of Object.entries(HOSTILE_TEXT)) {
        // A URL cannot carry a lone surrogate: it is sent, and read, as U+FFFD (the fuzz run sends those).
        if (where === "query" && what === "a lone surrogate") continue;
        cases.push({ operation, where, field, what, value });
      }
      if (isDateField(schema)) cases.push({ operation, where, field, what: "year 0000", value: OUT_OF_RANGE_DATE });
    }
  };
  add("body", operation.body?.properties ?? {});
  add("query", operation.query);
  return cases;
}

const operations = await apiOperations();
const cases = operations.flatMap(casesOf);
const label = (c: Case) => `${c.operation.method} ${c.operation.path} ${c.where} ${c.field}: ${c.what}`;

let admin: Credentials;
beforeAll(async () => {
  admin = await bearer("adm01@contoso.com");
});

describe("every text and date field of the JSON API refuses what PostgreSQL cannot store", () => {
  it("the table covers the fields the issue found (a check of the generator, not of the app)", () => {
    const covered = new Set(cases.map((c) => `${c.operation.operationId}.${c.field}`));
    for (const field of [
      "requestAccess.justification",
      "requestAccess.ticket",
      "requestAccess.startAt",
      "approveRequest.comment",
      "denyRequest.comment",
      "revokeRequest.reason",
      "searchAudit.from",
      "searchAudit.to",
      "searchAudit.q",
      "exportAudit.actor",
    ])
      expect(covered, field).toContain(field);
  });

  it.each(cases.map((c) => [label(c), c] as const))("%s → 400 naming the field", async (_label, c) => {
    const before = await db.auditEvent.count();
    const id = randomUUID();
    const url = new URL(c.operation.path.replace("{id}", id), env.APP_URL);
    if (c.where === "query") url.searchParams.set(c.field, c.value);
    const result = await callApi(c.operation.handler, `${url.pathname}${url.search}`, admin, {
      method: c.operation.method,
      body: c.where === "body" ? { [c.field]: c.value } : c.operation.method === "POST" ? {} : undefined,
      params: c.operation.hasIdParameter ? { id } : {},
    });
    expect(result.status, JSON.stringify(result.json)).toBe(400);
    expect(result.json.error.code).toBe("INVALID_INPUT");
    expect(result.json.error.fields.map((f: { field: string }) => f.field)).toContain(c.field);
    expect(await db.auditEvent.count()).toBe(before);
  });
});

/** A body produced as it is read, `total` bytes of JSON-ish text, counting what was pulled. */
function streamingBody(total: number) {
  const chunk = new TextEncoder().encode(`{"justification":"${"x".repeat(64 * 1024 - 19)}`);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("JSON API bodies", () => {
  // Guards against a chunked body without Content-Length being read whole before the size check.
  it("stops reading a chunked 256 MiB body at the limit and answers 413 with the limit in words", async () => {
    const body = streamingBody(256 * 1024 * 1024);
    const request = new Request(new URL("/api/v1/requests", env.APP_URL), {
      method: "POST",
      headers: { authorization: `Bearer ${(admin as { bearer: string }).bearer}`, "content-type": "application/json" },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    const before = await db.accessRequest.count();
    const response = await requestsRoute.POST(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(413);
    const { error } = await response.json();
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toContain(`64 KiB (${JSON_BODY_LIMIT_BYTES} bytes)`);
    // What was pulled: the limit and the stream's read-ahead, nowhere near the 256 MiB offered.
    expect(body.pulled()).toBeLessThan(4 * JSON_BODY_LIMIT_BYTES);
    expect(await db.accessRequest.count()).toBe(before);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const body = streamingBody(JSON_BODY_LIMIT_BYTES * 2);
    const request = new Request(new URL("/api/v1/requests", env.APP_URL), {
      method: "POST",
      headers: {
        authorization: `Bearer ${(admin as { bearer: string }).bearer}`,
        "content-type": "application/json",
        "content-length": String(JSON_BODY_LIMIT_BYTES * 2),
      },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    const response = await requestsRoute.POST(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(413);
  });

  // Guards against a valid request sent as application/xml (or anything but JSON) being stored.
  it.each([
    ["application/xml", "application/xml"],
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["JSON's near miss", "application/jsonp"],
  ])("answers 415 to a valid body sent as %s, and stores nothing", async (_name, contentType) => {
    const before = await db.accessRequest.count();
    const result = await callApi(requestsRoute.POST, "/api/v1/requests", await session("n01@contoso.com"), {
      body: JSON.stringify({ cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification: "415 check" }),
      headers: { "content-type": contentType },
    });
    expect(result.status).toBe(415);
    expect(result.json.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(result.json.error.message).toContain("Content-Type: application/json");
    expect(await db.accessRequest.count()).toBe(before);
    // API requests with a body skip proxy.ts (its matcher): the handler sets the security headers itself.
    expect(result.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(result.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 415 to a body without any Content-Type, and reads JSON with a charset", async () => {
    const credentials = await bearer("n01@contoso.com");
    const body = JSON.stringify({ cluster: "", role: "admin", duration: "PT1H" });
    const request = (headers: Record<string, string>) =>
      new Request(new URL("/api/v1/requests", env.APP_URL), {
        method: "POST",
        headers: { authorization: `Bearer ${(credentials as { bearer: string }).bearer}`, ...headers },
        body: new Blob([body]).stream(),
        duplex: "half",
      } as RequestInit);
    const missing = await requestsRoute.POST(request({}), { params: Promise.resolve({}) });
    expect(missing.status).toBe(415);
    const withCharset = await requestsRoute.POST(request({ "content-type": "application/json; charset=utf-8" }), {
      params: Promise.resolve({}),
    });
    // Read and checked: the empty cluster is what it refuses.
    expect(withCharset.status).toBe(400);
    expect((await withCharset.json()).error.fields).toEqual([{ field: "cluster", message: "Choose a cluster." }]);
  });
});
