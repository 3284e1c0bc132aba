// GET /api/v1/requests/{id}: one request, if the caller may see it (404 otherwise).
import { loadRequestView } from "@/lib/access/request-queries";
import { apiRoute, ok } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";
import { ZRequestView } from "@/lib/schemas/request-view";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ context, params }) =>
  ok(ZRequestView, await loadRequestView(requestIdFrom(params), context.viewer)),
);
