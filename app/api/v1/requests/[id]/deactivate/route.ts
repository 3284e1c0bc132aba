// POST /api/v1/requests/{id}/deactivate: the holder ends their active access before its time.
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiDeactivateInput } from "@/lib/api/schemas";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiDeactivateInput);
  return ok(ZRequestView, await deactivateRequest(id, context, input));
});
