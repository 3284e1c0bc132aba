// GET /api/health/live: Kubernetes liveness. Never touches the database: an outage of PostgreSQL
// must make pods unready, not restart every one of them.
import { NextResponse } from "next/server";
import { ZLiveness } from "@/lib/schemas/health";

export const dynamic = "force-dynamic";

export function GET() {
  return NextResponse.json(ZLiveness.parse({ status: "ok" }));
}
