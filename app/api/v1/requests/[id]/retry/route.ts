// POST /api/v1/requests/{id}/retry: a platform admin tries a failed activation again. No body.
import { retryActivation } from "@/lib/access/retry-activation";
import { apiRoute, ok } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";
import { ZRequestView } from "@/lib/schemas/request-view";

export const POST = apiRoute<{ id: string }>(async ({ context, params }) =>
  ok(ZRequestView, await retryActivation(requestIdFrom(params), context)),
);
