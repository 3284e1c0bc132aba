import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import * as cancelRoute from "@/app/api/v1/requests/[id]/cancel/route";
import * as requestsRoute from "@/app/api/v1/requests/route";
import * as callbackRoute from "@/app/auth/callback/route";
import { recordSocketAddresses } from "@/lib/http/socket-address";
import { beginSignIn, SIGN_IN_COOKIE } from "@/lib/auth/sign-in";
import { env } from "@/lib/config/env";
import { ZEnv } from "@/lib/config/env-schema.js";
import { db } from "@/lib/db/client";
import { bearer, type Credentials } from "../support/api";
import { demoUser, pickAccount } from "../support/emulator-browser";

/**
 * Guards the audit trail against a client-chosen IP address: the issue found the first
 * X-Forwarded-For entry stored as the client sent it, unvalidated (a 2,038-character string with
 * markup). Requests here cross a real TCP connection to a Node HTTP server that runs the API's route
 * handlers as Next's server does, with the socket-address hook that instrumentation.ts installs.
 */

let server: http.Server;
let baseUrl: string;
let n01: Credentials;
const configured = env.TRUSTED_PROXIES;

beforeAll(async () => {
  recordSocketAddresses();
  server = http.createServer((incoming, outgoing) => void serve(incoming, outgoing));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  n01 = await bearer("n01@contoso.com");
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => {
  env.TRUSTED_PROXIES = configured;
});

/** What Next does with a request: a standard Request from the Node one, to the matching route handler. */
async function serve(incoming: http.IncomingMessage, outgoing: http.ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const request = new Request(new URL(incoming.url ?? "/", env.APP_URL), {
    method: incoming.method,
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
  });
  const { pathname } = new URL(request.url);
  const cancel = /^\/api\/v1\/requests\/([^/]+)\/cancel$/.exec(pathname);
  const response = cancel
    ? await cancelRoute.POST(request, { params: Promise.resolve({ id: cancel[1]! }) })
    : pathname === "/auth/callback"
      ? await callbackRoute.GET(new NextRequest(request))
      : await requestsRoute.POST(request, { params: Promise.resolve({}) });
  outgoing.writeHead(response.status, { "content-type": "application/json" });
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

async function post(path: string, body: unknown, forwardedFor: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${(n01 as { bearer: string }).bearer}`,
      "content-type": "application/json",
      "x-forwarded-for": forwardedFor,
      "x-real-ip": "203.0.113.66",
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Files a request and cancels it, each with its own X-Forwarded-For; the IPs their audit events stored. */
async function fileAndCancel(filedWith: string, cancelledWith = filedWith) {
  const filed = await post(
    "/api/v1/requests",
    {
      cluster: "aks-prod-weu",
      role: "admin",
      duration: "PT1H",
      justification: "Check which client address the audit keeps",
      ticket: "INC12345",
    },
    filedWith,
  );
  expect(filed.status, JSON.stringify(filed.json)).toBe(201);
  const cancelled = await post(`/api/v1/requests/${filed.json.id}/cancel`, {}, cancelledWith);
  expect(cancelled.status, JSON.stringify(cancelled.json)).toBe(200);
  const events = await db.auditEvent.findMany({
    where: { requestId: filed.json.id, type: { in: ["request.created", "request.cancelled"] } },
    orderBy: { seq: "asc" },
  });
  return events.map((event) => ({ type: event.type, ip: (event.data as { ip?: unknown }).ip }));
}

describe("the client IP in the audit trail", () => {
  it("stores the socket's address, not a spoofed X-Forwarded-For, when no proxy is trusted", async () => {
    env.TRUSTED_PROXIES = ZEnv.shape.TRUSTED_PROXIES.parse("");
    expect(await fileAndCancel("198.51.100.9")).toEqual([
      { type: "request.created", ip: "127.0.0.1" },
      { type: "request.cancelled", ip: "127.0.0.1" },
    ]);
  });

  it("takes the address a trusted proxy appended, not what the client wrote before it", async () => {
    env.TRUSTED_PROXIES = ZEnv.shape.TRUSTED_PROXIES.parse("127.0.0.1/32");
    expect(await fileAndCancel("203.0.113.50, 198.51.100.9", "203.0.113.50, 2001:DB8::9")).toEqual([
      { type: "request.created", ip: "198.51.100.9" },
      { type: "request.cancelled", ip: "2001:db8::9" },
    ]);
  });

  it("counts hops like Express's trust proxy", async () => {
    env.TRUSTED_PROXIES = ZEnv.shape.TRUSTED_PROXIES.parse("1");
    expect(await fileAndCancel("203.0.113.50, 198.51.100.9")).toEqual([
      { type: "request.created", ip: "198.51.100.9" },
      { type: "request.cancelled", ip: "198.51.100.9" },
    ]);
  });

  it("stores null, never the text, when what a trusted proxy passed on is no IP address", async () => {
    env.TRUSTED_PROXIES = ZEnv.shape.TRUSTED_PROXIES.parse("127.0.0.1/32");
    const markup = `<script>alert(1)</script>${"x".repeat(2000)}`;
    expect(await fileAndCancel(markup, `198.51.100.9, ${"1".repeat(2038)}`)).toEqual([
      { type: "request.created", ip: null },
      { type: "request.cancelled", ip: null },
    ]);
  });
});

describe("the client IP of a sign-in", () => {
  it("records the socket's address with the session.signed_in event, not a spoofed header", async () => {
    env.TRUSTED_PROXIES = ZEnv.shape.TRUSTED_PROXIES.parse("");
    const started = await beginSignIn({ returnTo: "/", now: new Date() });
    const callback = await pickAccount(started.authorizeUrl, { userPrincipalName: "n02@contoso.com" });
    const response = await fetch(`${baseUrl}/auth/callback${callback.search}`, {
      headers: { cookie: `${SIGN_IN_COOKIE}=${started.cookie}`, "x-forwarded-for": "198.51.100.9" },
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    const user = await db.user.findUniqueOrThrow({ where: { entraObjectId: demoUser("n02@contoso.com").id } });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { actorId: user.id, type: "session.signed_in" },
      orderBy: { seq: "desc" },
    });
    expect(event.data).toMatchObject({ ip: "127.0.0.1" });
  });
});
