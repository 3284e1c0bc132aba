// POST /api/v1/requests/{id}/deny: deny a request routed to the caller; the comment is required.
import { denyRequest } from "@/lib/access/deny-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiDecisionInput } from "@/lib/api/schemas";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiDecisionInput);
  return ok(ZRequestView, await denyRequest(id, input, context));
});
