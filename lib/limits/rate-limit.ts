import "server-only";
import { createHash } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { originFromHeaders } from "@/lib/auth/request-origin";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/**
 * Rate limits that hold across every replica: rate-limiter-flexible's RateLimiterPostgres counts in
 * the `rate_limits` table (created by a migration, hence `tableCreated`), one atomic upsert per
 * attempt. See docs/decisions/010-rate-limits.md. Each operation is limited in one place: its use
 * case (filing, deciding, exporting, step-up) or, for sign-in, limitSignIn below.
 */
export const RATE_LIMITS = {
  /** per person: filing access requests */
  "request.file": { setting: "RATE_LIMIT_REQUESTS", attempts: "requests filed" },
  /** per person: approvals and denials */
  "request.decide": { setting: "RATE_LIMIT_DECISIONS", attempts: "decisions" },
  /** per person: audit exports and evidence packs */
  "audit.export": { setting: "RATE_LIMIT_EXPORTS", attempts: "exports" },
  /** per person: activity checks run now (each reads Log Analytics and Graph) */
  "activity.check": { setting: "RATE_LIMIT_ACTIVITY_CHECKS", attempts: "activity checks" },
  /** per person: fresh sign-ins checked for step-up */
  "step-up": { setting: "RATE_LIMIT_STEP_UP", attempts: "fresh sign-ins checked" },
  /** per client IP: sign-ins started */
  "sign-in": { setting: "RATE_LIMIT_SIGN_IN", attempts: "sign-ins started from your network address" },
} as const satisfies Record<string, { setting: keyof typeof env; attempts: string }>;

export type RateLimitKind = keyof typeof RATE_LIMITS;

export interface RateLimitSetting {
  points: number;
  durationSeconds: number;
}

/** The table's name, shared by every limiter; each kind keeps its own keys (`keyPrefix`). */
const TABLE = "rate_limits";

/**
 * RateLimiterPostgres's client, over the app's Prisma pool rather than a pool of its own: one pool
 * per process (DATABASE_POOL_SIZE), a database outage reported as one (503), and no named prepared
 * statements, which PgBouncer in transaction mode would not keep. `expire` is a bigint column, which
 * Prisma returns as BigInt: the library does arithmetic on it, so it gets a number.
 */
export function prismaStoreClient(client: Pick<typeof db, "$queryRawUnsafe" | "$executeRawUnsafe"> = db) {
  return {
    async query({ text, values = [] }: { text: string; values?: unknown[] }) {
      if (/^\s*DELETE\b/i.test(text)) {
        const rowCount = await client.$executeRawUnsafe(text, ...values);
        return { rows: [], rowCount };
      }
      const rows = await client.$queryRawUnsafe<Array<Record<string, unknown>>>(text, ...values);
      return {
        rows: rows.map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
        ),
        rowCount: rows.length,
      };
    },
  };
}

/** A limiter of one kind with the given setting; several (one per replica) share the table's counts. */
export function createRateLimiter(
  kind: RateLimitKind,
  setting: RateLimitSetting,
  storeClient: ReturnType<typeof prismaStoreClient> = prismaStoreClient(),
) {
  return new RateLimiterPostgres({
    storeClient,
    storeType: "client",
    tableName: TABLE,
    tableCreated: true,
    keyPrefix: kind,
    points: setting.points,
    duration: setting.durationSeconds,
  });
}

const globalForLimits = globalThis as unknown as { rateLimiters?: Map<string, RateLimiterPostgres> };

function limiterFor(kind: RateLimitKind) {
  const setting = env[RATE_LIMITS[kind].setting];
  const cacheKey = `${kind}:${setting.points}/${setting.durationSeconds}`;
  const limiters = (globalForLimits.rateLimiters ??= new Map());
  let limiter = limiters.get(cacheKey);
  if (!limiter) limiters.set(cacheKey, (limiter = createRateLimiter(kind, setting)));
  return limiter;
}

/** Keys are bounded (the column is varchar(255)): a long one, such as an odd client address, is hashed. */
const boundedKey = (key: string) =>
  key.length <= 128 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;

/**
 * Counts one attempt of `kind` by `key` (a user id, or a client IP for sign-in), or throws
 * RATE_LIMITED (429) with the seconds to wait when the window's attempts are used up. Call it
 * before anything is written: a refused attempt stores nothing.
 */
export async function enforceRateLimit(kind: RateLimitKind, key: string, now = new Date()): Promise<void> {
  const limiter = limiterFor(kind);
  try {
    await limiter.consume(boundedKey(key));
  } catch (error) {
    if (error instanceof RateLimiterRes) throw rateLimited(kind, limiter.points, limiter.duration, error, now);
    throw error;
  }
}

/** The refusal, saying how many attempts the window allows and when to try again. */
export function rateLimited(
  kind: RateLimitKind,
  points: number,
  durationSeconds: number,
  result: Pick<RateLimiterRes, "msBeforeNext">,
  now: Date,
) {
  const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  const at = new Date(now.getTime() + retryAfterSeconds * 1000).toISOString().slice(11, 19);
  const wait =
    retryAfterSeconds < 120 ? `${retryAfterSeconds} seconds` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return new AppError("RATE_LIMITED", {
    message: `rate limit ${kind}: ${points} per ${durationSeconds}s used up`,
    userMessage: `Too many ${RATE_LIMITS[kind].attempts}: at most ${points} per ${describeWindow(durationSeconds)}. Try again in ${wait} (at ${at} UTC); nothing was saved.`,
    retryAfterSeconds,
  });
}

function describeWindow(seconds: number) {
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/**
 * Starting a sign-in, per client address. The address comes from the one function that reads it
 * (lib/auth/request-origin.ts), so that trusting proxies changes it here too.
 */
export async function enforceSignInRateLimit(headers: Headers, now = new Date()): Promise<void> {
  await enforceRateLimit("sign-in", originFromHeaders(headers, "web").ip ?? "unknown", now);
}
