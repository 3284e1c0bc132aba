// GET /api/v1/catalog: the clusters and roles the caller may request, each with its policy.
import { eligibleRoles } from "@/lib/access/request-queries";
import { apiRoute, ok } from "@/lib/api/handler";
import { ZCatalog } from "@/lib/schemas/catalog";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ context }) => ok(ZCatalog, { clusters: eligibleRoles(context.viewer) }));
