import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/config/env";
import { PrismaClient } from "./generated/client";

export type { Prisma } from "./generated/client";

/** How long a transaction may wait for a connection from the pool before it is refused. */
const TRANSACTION_MAX_WAIT_MS = 10_000;

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/**
 * One client, so one connection pool of DATABASE_POOL_SIZE, per process. On globalThis in
 * production too: Next bundles instrumentation.ts and each route separately, and each bundle would
 * otherwise open a pool of its own (and in development, hot reloads would leak them).
 */
export const db = (globalForPrisma.prisma ??= new PrismaClient({
  adapter: new PrismaPg({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_SIZE }),
  // A burst of more transactions than the pool holds queues for a connection: Prisma's default
  // 2 s wait refused the tail of a 40-transaction burst on a loaded machine ("Unable to start a
  // transaction in the given time"), although each holds its connection for milliseconds.
  transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
}));
