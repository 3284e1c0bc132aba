// GET /events: the signed-in viewer's live dashboard, as server-sent events (text/event-stream).
import { dashboardStream } from "@/lib/access/dashboard-stream";
import { getCurrentUser } from "@/lib/auth/current-user";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const viewer = await getCurrentUser();
  if (!viewer) return new Response("Sign in to follow your dashboard.", { status: 401 });
  return new Response(dashboardStream(viewer, request.signal), {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      // nginx and similar proxies buffer responses unless told not to.
      "X-Accel-Buffering": "no",
    },
  });
}
