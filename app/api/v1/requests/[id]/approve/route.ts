// POST /api/v1/requests/{id}/approve: approve a request routed to the caller (never their own);
// `stepUpToken` when the role's policy asks for a fresh sign-in.
import { approveRequest } from "@/lib/access/approve-request";
import { apiRoute, ok } from "@/lib/api/handler";
import { readJsonBody, requestIdFrom } from "@/lib/api/input";
import { ZApiApproveInput } from "@/lib/api/schemas";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ request, context, params }) => {
  const id = requestIdFrom(params);
  const input = await readJsonBody(request, ZApiApproveInput);
  return ok(ZRequestView, await approveRequest(id, input, context));
});
