// GET /requests/{id}/events: the request page's live status, as server-sent events (text/event-stream).
import { requestStatusStream, requestVersion } from "@/lib/access/request-status-stream";
import { getCurrentUser } from "@/lib/auth/current-user";
import { isAppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await getCurrentUser();
  if (!viewer) return new Response("Sign in to follow this request.", { status: 401 });
  try {
    const first = await requestVersion(id, viewer);
    return new Response(requestStatusStream(id, viewer, first, request.signal), {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store, no-transform",
        // nginx and similar proxies buffer responses unless told not to.
        "X-Accel-Buffering": "no",
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") return new Response("Not found.", { status: 404 });
    throw error;
  }
}
