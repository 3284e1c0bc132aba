// GET /api/v1/requests?scope=mine|approvable|all&page=N: a page of the requests the caller may see in that scope.
// POST /api/v1/requests: file a request for a role on a cluster (201 with the request).
import { requestAccess } from "@/lib/access/request-access";
import { apiRoute, created, ok } from "@/lib/api/handler";
import { readJsonBody, readQuery } from "@/lib/api/input";
import { listRequestsInScope } from "@/lib/api/requests";
import { ZApiRequestAccessInput, ZListRequestsQuery } from "@/lib/api/schemas";
import { ZRequestPage, ZRequestView } from "@/lib/schemas/request-view";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ request, context }) => {
  const { scope, page } = readQuery(request, ZListRequestsQuery);
  return ok(ZRequestPage, await listRequestsInScope(context.viewer, scope, page));
});

export const POST = apiRoute(async ({ request, context }) => {
  const input = await readJsonBody(request, ZApiRequestAccessInput);
  const view = await requestAccess(input, context);
  return created(ZRequestView, view, `/api/v1/requests/${view.id}`);
});
