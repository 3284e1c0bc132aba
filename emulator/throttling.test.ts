import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { AZURE_BUDGETS, classifyCall, Throttling, TokenBucket } from "./throttling";

const token = (claims: Record<string, string>) =>
  `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
const app = token({ oid: "sp-1", appid: "app-1", tid: "tenant-1" });
const other = token({ oid: "sp-2", appid: "app-2", tid: "tenant-1" });
const arm = (path: string) => new URL(`https://emulator${path}`);
const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";

/** A response that records what throttling wrote to it. */
function fakeResponse() {
  const headers: Record<string, string> = {};
  const answer = { status: 0, body: "" };
  const res = {
    headersSent: false,
    req: { url: "/", headers: {} },
    setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = String(v)),
    hasHeader: (k: string) => k.toLowerCase() in headers,
    writeHead: (status: number, more: Record<string, string> = {}) => {
      answer.status = status;
      for (const [k, v] of Object.entries(more)) headers[k.toLowerCase()] = v;
    },
    end: (body: string) => (answer.body = body),
  };
  return { res: res as unknown as ServerResponse, headers, answer };
}

describe("TokenBucket", () => {
  it("allows the burst, then one call per refill interval, and says how long to wait", () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].map((t) => t.isAllowed)).toEqual([true, true, true]);
    expect(bucket.take(0)).toEqual({ isAllowed: false, retryAfterSeconds: 1 });
    expect(bucket.take(400).isAllowed).toBe(false);
    expect(bucket.take(500)).toEqual({ isAllowed: true, remaining: 0 });
    // Never more than the capacity, however long it rested.
    expect(bucket.remaining(60_000)).toBe(3);
  });

  it("rounds Retry-After up to the whole second at which a token is there", () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.2 }, 0);
    bucket.take(0);
    expect(bucket.take(0)).toEqual({ isAllowed: false, retryAfterSeconds: 5 });
    expect(bucket.take(4_100)).toEqual({ isAllowed: false, retryAfterSeconds: 1 });
    expect(bucket.take(5_000).isAllowed).toBe(true);
  });

  it("holds Azure's published numbers", () => {
    expect(AZURE_BUDGETS.armWrites).toEqual({ capacity: 200, refillPerSecond: 10 });
    expect(AZURE_BUDGETS.armReads).toEqual({ capacity: 250, refillPerSecond: 25 });
    expect(AZURE_BUDGETS.graphWrites.capacity).toBe(3000);
    expect(AZURE_BUDGETS.graphWrites.capacity / AZURE_BUDGETS.graphWrites.refillPerSecond).toBe(150);
  });
});

describe("classifyCall", () => {
  it.each([
    ["GET", `${SUB}/providers/Microsoft.Authorization/roleAssignments`, "armReads"],
    ["PUT", `${SUB}/providers/Microsoft.Authorization/roleAssignments/x`, "armWrites"],
    ["DELETE", `${SUB}/providers/Microsoft.Authorization/roleAssignments/x`, "armDeletes"],
    ["POST", "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests", "graphWrites"],
    ["DELETE", "/v1.0/groups/g/members/u/$ref", "graphWrites"],
  ])("%s %s spends %s", (method, path, budget) => {
    expect(classifyCall(method, arm(path), app)?.budget).toBe(budget);
  });

  it("spends nothing for Graph reads, mail, unauthenticated calls or the emulator's own endpoints", () => {
    expect(classifyCall("GET", arm("/v1.0/users/u"), app)).toBeNull();
    expect(classifyCall("POST", arm("/v1.0/users/u/sendMail"), app)).toBeNull();
    expect(classifyCall("PUT", arm(`${SUB}/x`), undefined)).toBeNull();
    expect(classifyCall("PUT", arm(`${SUB}/x`), "Bearer not-a-jwt")).toBeNull();
  });

  it("keys ARM buckets by subscription and principal, Graph's by tenant and app", () => {
    const path = arm(`${SUB}/providers/Microsoft.Authorization/roleAssignments/x`);
    expect(classifyCall("PUT", path, app)?.key).not.toBe(classifyCall("PUT", path, other)?.key);
    const graph = arm("/v1.0/groups/g/members/$ref");
    expect(classifyCall("POST", graph, app)?.key).toBe("graphWrites:tenant-1:app-1");
  });
});

describe("Throttling", () => {
  const put = arm(`${SUB}/providers/Microsoft.Authorization/roleAssignments/x`);

  it("is off until switched on", () => {
    const throttling = new Throttling();
    const { res, answer } = fakeResponse();
    for (let i = 0; i < 500; i++) expect(throttling.apply("PUT", put, app, res, 0)).toBe(false);
    expect(answer.status).toBe(0);
  });

  it("answers ARM's 429 with Retry-After once a principal's budget is spent, and counts the header down", () => {
    const throttling = new Throttling(true);
    throttling.configure(true, { armWrites: { capacity: 2, refillPerSecond: 1 } });
    const first = fakeResponse();
    expect(throttling.apply("PUT", put, app, first.res, 0)).toBe(false);
    expect(first.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("1");
    expect(throttling.apply("PUT", put, app, fakeResponse().res, 0)).toBe(false);
    const throttled = fakeResponse();
    expect(throttling.apply("PUT", put, app, throttled.res, 0)).toBe(true);
    expect(throttled.answer.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("1");
    expect(JSON.parse(throttled.answer.body)).toMatchObject({ error: { code: "TooManyRequests" } });
    // Another principal has its own bucket.
    expect(throttling.apply("PUT", put, other, fakeResponse().res, 0)).toBe(false);
    expect(throttling.snapshot(0).throttled.armWrites).toBe(1);
  });

  it("answers Graph's 429 with its envelope and innerError", () => {
    const throttling = new Throttling(true);
    throttling.configure(true, { graphWrites: { capacity: 1, refillPerSecond: 0.5 } });
    const post = arm("/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests");
    expect(throttling.apply("POST", post, app, fakeResponse().res, 0)).toBe(false);
    const throttled = fakeResponse();
    expect(throttling.apply("POST", post, app, throttled.res, 0)).toBe(true);
    expect(throttled.headers["retry-after"]).toBe("2");
    expect(JSON.parse(throttled.answer.body)).toMatchObject({
      error: { code: "TooManyRequests", innerError: { "request-id": expect.any(String) } },
    });
  });
});
