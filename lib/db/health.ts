import "server-only";
import { db } from "./client";

export async function checkDatabase(): Promise<{ status: "ok" | "down"; latencyMs?: number; error?: string }> {
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "down", error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}
