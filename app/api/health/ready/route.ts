// GET /api/health/ready: Kubernetes readiness and startup probe. 503 while the database does not
// answer, while this build's migrations are not applied, and once the process is shutting down.
import { NextResponse } from "next/server";
import { readiness } from "@/lib/ops/readiness";
import { ZReadiness } from "@/lib/schemas/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const { isReady, checks } = await readiness();
  const body = ZReadiness.parse({ status: isReady ? "ok" : "degraded", checks });
  return NextResponse.json(body, { status: isReady ? 200 : 503 });
}
