// GET /api/v1/catalog: the clusters and roles the caller may request, each with its policy.
import { eligibleRoles } from "@/lib/access/queries";
import { apiRoute, ok } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async ({ context }) => ok({ clusters: eligibleRoles(context.viewer) }));
