// GET /api/v1/openapi.json: the OpenAPI 3.1 description of the JSON API. Public: it holds no
// secrets, and clients need it before they can authenticate.
import { publicApiRoute, ok } from "@/lib/api/handler";
import { openApiDocument, ZOpenApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export const GET = publicApiRoute(async () => ok(ZOpenApiDocument, openApiDocument()));
