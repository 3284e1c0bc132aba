/** What the caller may request, and the access granted now. */
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { ZCatalog } from "@/lib/schemas/catalog";
import { ZGrantList } from "@/lib/schemas/grant-view";
import { ZListGrantsQuery } from "../schemas";
import { AUTHENTICATED_ERRORS, readWithQuery, responses, success, withCorrelationId } from "./responses";

export const accessPaths: ZodOpenApiPathsObject = {
  "/api/v1/catalog": {
    get: {
      operationId: "getCatalog",
      summary: "Roles the caller may request",
      description: "The clusters and roles the caller is eligible for, each with its policy.",
      tags: ["catalog"],
      requestParams: withCorrelationId,
      responses: responses({ "200": success("The caller's catalog.", ZCatalog) }, ...AUTHENTICATED_ERRORS),
    },
  },
  "/api/v1/grants": {
    get: readWithQuery(
      {
        operationId: "listGrants",
        summary: "List active grants",
        description:
          "The access granted now, soonest end first, up to 500. `mine` (default): the caller's own. `all`: everyone's (needs the auditor or admin role).",
        tags: ["grants"],
      },
      ZListGrantsQuery,
      success("The grants in that scope.", ZGrantList),
    ),
  },
};
