// POST /api/v1/requests/{id}/retry: a platform admin tries a failed activation again. No body.
import { retryActivation } from "@/lib/access/retry-activation";
import { apiRoute, ok } from "@/lib/api/handler";
import { requestIdFrom } from "@/lib/api/input";

export const POST = apiRoute<{ id: string }>(async ({ context, params }) =>
  ok(await retryActivation(requestIdFrom(params), context)),
);
