// GET /api/health: liveness and database reachability, for load balancers and the launcher.
import { NextResponse } from "next/server";
import { checkDatabase } from "@/lib/db/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await checkDatabase();
  const isHealthy = database.status === "ok";
  return NextResponse.json(
    { status: isHealthy ? "ok" : "degraded", checks: { database } },
    { status: isHealthy ? 200 : 503 },
  );
}
