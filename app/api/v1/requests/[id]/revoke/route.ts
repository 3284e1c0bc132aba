// POST /api/v1/requests/{id}/revoke: a platform admin takes access away; the reason is required.
import { revokeRequest } from "@/lib/access/revoke-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiRevokeInput } from "@/lib/api/schemas";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiRevokeInput);
  return ok(ZRequestView, await revokeRequest(id, input, context));
});
