// GET /api/health/live: Kubernetes liveness. Never touches the database: an outage of PostgreSQL
// must make pods unready, not restart every one of them.
import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json({ status: "ok" });
}
