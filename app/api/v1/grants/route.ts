// GET /api/v1/grants?scope=mine|all: the access currently granted, the caller's or everyone's.
import { listActiveGrants } from "@/lib/access/grant-queries";
import { apiRoute, ok } from "@/lib/api/handler";
import { readQuery } from "@/lib/api/input";
import { ZListGrantsQuery } from "@/lib/api/schemas";
import { ZGrantList } from "@/lib/schemas/grant-view";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ request, context }) => {
  const { scope } = readQuery(request, ZListGrantsQuery);
  return ok(ZGrantList, { grants: await listActiveGrants(context.viewer, scope) });
});
