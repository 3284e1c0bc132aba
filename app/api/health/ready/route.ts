// GET /api/health/ready: Kubernetes readiness and startup probe. 503 while the database does not
// answer, while this build's migrations are not applied, and once the process is shutting down.
import { NextResponse } from "next/server";
import { readiness } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

export async function GET() {
  const { isReady, checks } = await readiness();
  return NextResponse.json({ status: isReady ? "ok" : "degraded", checks }, { status: isReady ? 200 : 503 });
}
