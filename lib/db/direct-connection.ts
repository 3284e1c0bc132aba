import "server-only";
import pg from "pg";
import { env } from "@/lib/config/env";

/**
 * A connection of its own, outside Prisma's pool, for a long read sent on as it is read (the audit
 * export): rows come back as `pg` parses them, without Prisma's per-value conversion, which cost
 * two thirds of an export's time; and a slow download holds this connection, not one of the pool's.
 * The caller ends it. Each query is one statement, so it works behind PgBouncer in transaction mode.
 */
export async function openDirectConnection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL, application_name: "aks-jit export" });
  await client.connect();
  return client;
}
