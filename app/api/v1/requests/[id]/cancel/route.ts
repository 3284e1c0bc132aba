// POST /api/v1/requests/{id}/cancel: the requester withdraws a request still awaiting a decision.
import { cancelRequest } from "@/lib/access/cancel-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiDecisionInput } from "@/lib/api/schemas";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  // The body is checked like a decision's, so a malformed one is still a 400; cancelRequest does
  // not record a comment (yet), as the OpenAPI document says.
  await readJsonBody(request, ZApiDecisionInput);
  return ok(await cancelRequest(id, context));
});
