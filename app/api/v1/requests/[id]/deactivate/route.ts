// POST /api/v1/requests/{id}/deactivate: the holder ends their active access before its time.
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiDecisionInput } from "@/lib/api/schemas";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiDecisionInput);
  return ok(await deactivateRequest(id, context, input));
});
