/* Azure's throttling budgets, as token buckets per calling principal, so that mass expiry and the
 * reconciler meet the floor Azure sets rather than an emulator that answers everything at once.
 * OFF by default (fast tests); on with EMULATOR_THROTTLING=azure, or PUT /_emulator/throttling
 * {enabled, budgets?} (smaller budgets make a test of a few hundred calls meet throttling). GET shows
 * the settings and what each bucket holds; DELETE turns it off and empties the buckets.
 *
 * ARM: "Subscription | reads | 250 | 25", "deletes | 200 | 10", "writes | 200 | 10" (bucket size,
 * refill per second), applied "per subscription, per service principal, and per operation type";
 * 429 with Retry-After, and `x-ms-ratelimit-remaining-subscription-reads` / `-writes` / `-deletes`
 * on the answers (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling,
 * "Regional throttling and token bucket algorithm", "Remaining requests").
 * Graph: the identity and access service allows an application+tenant pair a write quota of "3,000
 * requests per 2 minutes and 30 seconds" (learn.microsoft.com/graph/throttling-limits, "Identity and
 * access service limits"), modelled as a bucket of 3,000 refilled at 20 per second; its 429 carries
 * Retry-After and Graph's error envelope (learn.microsoft.com/graph/throttling, "Sample response").
 * Graph reads (resource units) and Outlook's mail limits are not modelled.
 * Log Analytics' query API: "200 requests per 30 seconds per Microsoft Entra user or client IP
 * address" (learn.microsoft.com/azure/azure-monitor/service-limits#la-query-api), modelled as a bucket
 * of 200 per calling principal refilled at 200/30 per second; its 429 carries Retry-After and Log
 * Analytics' error body (the code ThrottledError is the emulator's choice: the docs name none). */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { decodeJwt } from "jose";
import type { Router } from "./http";
import { sendGraphError, sendJson } from "./http";

export interface BucketSpec {
  /** tokens when full: the burst */
  capacity: number;
  /** tokens added per second, up to capacity */
  refillPerSecond: number;
}

/** A token bucket on an explicit clock (milliseconds), so that tests drive time. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly spec: BucketSpec,
    nowMs: number,
  ) {
    this.tokens = spec.capacity;
    this.at = nowMs;
  }

  private refill(nowMs: number) {
    const elapsed = Math.max(0, nowMs - this.at) / 1000;
    this.tokens = Math.min(this.spec.capacity, this.tokens + elapsed * this.spec.refillPerSecond);
    this.at = Math.max(this.at, nowMs);
  }

  /** Takes one token, or says how long until one is there (seconds, never less than the wait). */
  take(nowMs: number): { isAllowed: true; remaining: number } | { isAllowed: false; retryAfterSeconds: number } {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { isAllowed: true, remaining: Math.floor(this.tokens) };
    }
    const seconds = this.spec.refillPerSecond > 0 ? (1 - this.tokens) / this.spec.refillPerSecond : 3600;
    return { isAllowed: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }

  remaining(nowMs: number) {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }
}

export type BudgetName = "armReads" | "armWrites" | "armDeletes" | "graphWrites" | "logAnalyticsQueries";
export type Budgets = Record<BudgetName, BucketSpec>;

/** The published budgets (see the docs above). */
export const AZURE_BUDGETS: Budgets = {
  armReads: { capacity: 250, refillPerSecond: 25 },
  armWrites: { capacity: 200, refillPerSecond: 10 },
  armDeletes: { capacity: 200, refillPerSecond: 10 },
  graphWrites: { capacity: 3000, refillPerSecond: 3000 / 150 },
  logAnalyticsQueries: { capacity: 200, refillPerSecond: 200 / 30 },
};

const ARM_HEADER: Record<Exclude<BudgetName, "graphWrites" | "logAnalyticsQueries">, string> = {
  armReads: "x-ms-ratelimit-remaining-subscription-reads",
  armWrites: "x-ms-ratelimit-remaining-subscription-writes",
  armDeletes: "x-ms-ratelimit-remaining-subscription-deletes",
};

/** Which budget a call spends, and whose bucket: null when none applies. */
export function classifyCall(
  method: string,
  url: URL,
  authorization: string | undefined,
): { budget: BudgetName; key: string } | null {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return null;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return null; // the route answers 401 itself
  }
  const text = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "");
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1]?.toLowerCase();
  if (subscription) {
    const principal = text(claims.oid) || text(claims.sub);
    const budget: BudgetName = method === "GET" ? "armReads" : method === "DELETE" ? "armDeletes" : "armWrites";
    return { budget, key: `${budget}:${subscription}:${principal}` };
  }
  // Log Analytics: every query (one per call, and a $batch counts once) of a principal
  if (/^\/v1\/(workspaces\/[^/]+\/query|\$batch)$/i.test(url.pathname)) {
    const principal = text(claims.oid) || text(claims.sub);
    return { budget: "logAnalyticsQueries", key: `logAnalyticsQueries:${principal}` };
  }
  const isGraph = /^\/(v1\.0|beta)\//i.test(url.pathname);
  if (isGraph && method !== "GET" && !/\/sendMail$/i.test(url.pathname)) {
    const app = text(claims.appid) || text(claims.azp);
    return { budget: "graphWrites", key: `graphWrites:${text(claims.tid)}:${app}` };
  }
  return null;
}

export class Throttling {
  isEnabled: boolean;
  budgets: Budgets = { ...AZURE_BUDGETS };
  private readonly buckets = new Map<string, TokenBucket>();
  /** 429s answered, per budget: benches report them */
  readonly throttled: Record<BudgetName, number> = {
    armReads: 0,
    armWrites: 0,
    armDeletes: 0,
    graphWrites: 0,
    logAnalyticsQueries: 0,
  };

  constructor(isEnabled = false) {
    this.isEnabled = isEnabled;
  }

  configure(isEnabled: boolean, budgets: Partial<Budgets> = {}) {
    this.isEnabled = isEnabled;
    this.budgets = { ...AZURE_BUDGETS, ...budgets };
    this.buckets.clear();
    for (const name of Object.keys(this.throttled) as BudgetName[]) this.throttled[name] = 0;
  }

  /**
   * Spends a token for the call: answers 429 and returns true when there is none; otherwise sets the
   * remaining-quota header (ARM) and returns false, and the call goes on to its route.
   */
  apply(method: string, url: URL, authorization: string | undefined, res: ServerResponse, nowMs: number) {
    if (!this.isEnabled) return false;
    const call = classifyCall(method, url, authorization);
    if (!call) return false;
    let bucket = this.buckets.get(call.key);
    if (!bucket) {
      bucket = new TokenBucket(this.budgets[call.budget], nowMs);
      this.buckets.set(call.key, bucket);
    }
    const taken = bucket.take(nowMs);
    if (taken.isAllowed) {
      if (call.budget !== "graphWrites" && call.budget !== "logAnalyticsQueries") {
        res.setHeader(ARM_HEADER[call.budget], String(taken.remaining));
      }
      return false;
    }
    this.throttled[call.budget] += 1;
    const retryAfter = { "Retry-After": String(taken.retryAfterSeconds) };
    if (call.budget === "logAnalyticsQueries") {
      sendJson(
        res,
        429,
        {
          error: {
            message: "Too many requests. The limit is 200 requests per 30 seconds per user. Please retry later.",
            code: "ThrottledError",
            correlationId: randomUUID(),
          },
        },
        retryAfter,
      );
    } else if (call.budget === "graphWrites") {
      res.setHeader("Retry-After", retryAfter["Retry-After"]);
      sendGraphError(res, 429, "TooManyRequests", "Please retry again later.");
    } else {
      sendJson(
        res,
        429,
        {
          error: {
            code: "TooManyRequests",
            message:
              "The request is being throttled as the limit has been reached for operation type - " +
              `${call.budget === "armReads" ? "Read" : call.budget === "armDeletes" ? "Delete" : "Write"}_Subscription.`,
          },
        },
        { ...retryAfter, [ARM_HEADER[call.budget]]: "0" },
      );
    }
    return true;
  }

  snapshot(nowMs: number) {
    return {
      enabled: this.isEnabled,
      budgets: this.budgets,
      throttled: { ...this.throttled },
      buckets: Object.fromEntries([...this.buckets].map(([key, bucket]) => [key, bucket.remaining(nowMs)])),
    };
  }
}

function parseBudgets(body: unknown): Partial<Budgets> | string {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null) return "budgets must be an object";
  const parsed: Partial<Budgets> = {};
  for (const [name, spec] of Object.entries(body as Record<string, unknown>)) {
    if (!(name in AZURE_BUDGETS)) return `unknown budget ${name}; known: ${Object.keys(AZURE_BUDGETS).join(", ")}`;
    const { capacity, refillPerSecond } = (spec ?? {}) as Record<string, unknown>;
    if (typeof capacity !== "number" || capacity < 1 || typeof refillPerSecond !== "number" || refillPerSecond < 0) {
      return `${name} needs a capacity of at least 1 and a refillPerSecond of at least 0`;
    }
    parsed[name as BudgetName] = { capacity, refillPerSecond };
  }
  return parsed;
}

export function registerThrottling(router: Router, throttling: Throttling, now: () => Date) {
  router.on("GET", "/_emulator/throttling", (_req, res) => sendJson(res, 200, throttling.snapshot(now().getTime())));
  router.on("PUT", "/_emulator/throttling", (req, res) => {
    const budgets = parseBudgets(req.body.budgets);
    if (typeof budgets === "string") return sendJson(res, 400, { error: { code: "BadRequest", message: budgets } });
    throttling.configure(req.body.enabled !== false, budgets);
    sendJson(res, 200, throttling.snapshot(now().getTime()));
  });
  router.on("DELETE", "/_emulator/throttling", (_req, res) => {
    throttling.configure(false);
    sendJson(res, 200, throttling.snapshot(now().getTime()));
  });
}
