import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/config/env";
import { PrismaClient } from "./generated/client";

export type { Prisma } from "./generated/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/**
 * One client, so one connection pool of DATABASE_POOL_SIZE, per process. On globalThis in
 * production too: Next bundles instrumentation.ts and each route separately, and each bundle would
 * otherwise open a pool of its own (and in development, hot reloads would leak them).
 */
export const db = (globalForPrisma.prisma ??= new PrismaClient({
  adapter: new PrismaPg({ connectionString: env.DATABASE_URL, max: env.DATABASE_POOL_SIZE }),
}));
