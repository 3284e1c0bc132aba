import "server-only";
import { z } from "zod";
import { createDocument, type ZodOpenApiObject } from "zod-openapi";
import { AUTHORITY } from "@/lib/auth/msal";
import { sessionCookieName } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { ZRolePolicy, ZTextRule } from "@/lib/domain/policy-schema";
import { ZAuditEvent, ZAuditPage } from "@/lib/schemas/audit-event";
import { ZAuditVerification } from "@/lib/schemas/audit-verification";
import { ZCatalog } from "@/lib/schemas/catalog";
import { ZApiError } from "@/lib/schemas/error";
import { ZEvidencePack } from "@/lib/schemas/evidence-pack";
import { ZGrantList, ZGrantView } from "@/lib/schemas/grant-view";
import { ZRequestPage, ZRequestStatus, ZRequestView } from "@/lib/schemas/request-view";
import { accessPaths } from "./openapi/access";
import { auditPaths } from "./openapi/audit";
import { healthPaths } from "./openapi/health";
import { requestPaths } from "./openapi/requests";
import { errorResponses } from "./openapi/responses";
import {
  ZApiApproveInput,
  ZApiDeactivateInput,
  ZApiDecisionInput,
  ZApiExtendInput,
  ZApiRequestAccessInput,
  ZApiRevokeInput,
} from "./schemas";

/**
 * The OpenAPI 3.1 description of /api/v1 and the health probes, generated (zod-openapi) from the zod schemas the routes
 * parse their input with and their output with: a field added to a view is in the document, and a
 * response that does not match it fails where the route parses it. The operations, with their
 * words, are in lib/api/openapi/<area>.ts; this module adds what the whole API shares.
 */

// An object of JSON values, as served (and as a test reads it).
export type OpenApiDocument = ReturnType<typeof createDocument> & Record<string, unknown>;

/** What GET /api/v1/openapi.json answers: this document (checked by its own test against the 3.1 rules). */
export const ZOpenApiDocument = z.looseObject({
  openapi: z.string().regex(/^3\.1\./),
  paths: z.record(z.string(), z.unknown()).optional(),
});

/** Named components: what the operations use by these names is written once and referenced. */
const SCHEMAS = {
  RequestAccessInput: ZApiRequestAccessInput,
  DecisionInput: ZApiDecisionInput,
  ApproveInput: ZApiApproveInput,
  ExtendInput: ZApiExtendInput,
  DeactivateInput: ZApiDeactivateInput,
  RevokeInput: ZApiRevokeInput,
  RequestStatus: ZRequestStatus,
  RequestView: ZRequestView,
  RequestList: ZRequestPage,
  GrantView: ZGrantView,
  GrantList: ZGrantList,
  AuditEvent: ZAuditEvent,
  AuditPage: ZAuditPage,
  AuditVerification: ZAuditVerification,
  EvidencePack: ZEvidencePack,
  Catalog: ZCatalog,
  RolePolicy: ZRolePolicy,
  TextRule: ZTextRule,
  Error: ZApiError,
};

function securitySchemes(apiScope: string): NonNullable<ZodOpenApiObject["components"]>["securitySchemes"] {
  return {
    entraId: {
      type: "oauth2",
      description: `An Entra ID access token for this app's API, delegated (signed in as a person): send \`Authorization: Bearer <token>\`. App-only tokens are refused with 403.`,
      flows: {
        authorizationCode: {
          authorizationUrl: `${AUTHORITY}/oauth2/v2.0/authorize`,
          tokenUrl: `${AUTHORITY}/oauth2/v2.0/token`,
          scopes: { [apiScope]: "Use AKS JIT as the signed-in user." },
        },
      },
    },
    sessionCookie: {
      type: "apiKey",
      in: "cookie",
      name: sessionCookieName(),
      description:
        "The dashboard's session, for calls from a signed-in browser. POST requests must carry this site's `Origin` header, or they are refused with 403 (cross-site request forgery protection).",
    },
  };
}

export function openApiDocument(): OpenApiDocument {
  const apiScope = `api://${env.ENTRA_CLIENT_ID}/access_as_user`;
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "AKS JIT API",
      version: "1.0.0",
      description:
        "Just-in-time, approved, time-bound access to AKS clusters, for scripts and the CLI. The same rules as the dashboard apply: eligibility, policy, approvals and audit. Every answer carries `x-correlation-id` (send your own to tie your logs to ours) and `Cache-Control: no-store`.",
    },
    servers: [{ url: env.APP_URL }],
    security: [{ entraId: [apiScope] }, { sessionCookie: [] }],
    tags: [
      { name: "catalog", description: "What the caller may request." },
      { name: "requests", description: "Access requests, their decisions, and the access they give." },
      { name: "grants", description: "The access currently granted." },
      { name: "audit", description: "The audit history: search, export and integrity (auditors and admins)." },
      { name: "meta", description: "This document." },
      { name: "health", description: "Liveness and readiness probes, without credentials." },
    ],
    paths: {
      ...accessPaths,
      ...requestPaths,
      ...auditPaths,
      ...healthPaths,
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          tags: ["meta"],
          security: [],
          responses: {
            "200": {
              description: "The OpenAPI 3.1 document.",
              content: { "application/json": { schema: ZOpenApiDocument } },
            },
          },
        },
      },
    },
    components: { schemas: SCHEMAS, responses: errorResponses, securitySchemes: securitySchemes(apiScope) },
  }) as OpenApiDocument;
}
