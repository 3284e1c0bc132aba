import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/config/env";
import { PrismaClient } from "./generated/client";

export type { Prisma } from "./generated/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** One client per process; kept on globalThis in development so hot reloads don't leak pools. */
export const db =
  globalForPrisma.prisma ?? new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });

if (env.NODE_ENV !== "production") globalForPrisma.prisma = db;
