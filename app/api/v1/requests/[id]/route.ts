// GET /api/v1/requests/{id}: one request, if the caller may see it (404 otherwise).
import { loadRequestView } from "@/lib/access/queries";
import { apiRoute, ok } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>(async ({ context, params }) =>
  ok(await loadRequestView(requestIdFrom(params), context.viewer)),
);
