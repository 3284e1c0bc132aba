// POST /api/v1/requests/{id}/extend: the holder pushes the end of their active access out, within policy.
import { extendRequest } from "@/lib/access/extend-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiExtendInput } from "@/lib/api/schemas";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiExtendInput);
  return ok(ZRequestView, await extendRequest(id, input, context));
});
