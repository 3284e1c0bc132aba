/** The auditors' operations: search, export, verify the chain, and one request's evidence pack. */
import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import type { AuditSearchInput } from "@/lib/audit/filters";
import { ZAuditPage } from "@/lib/schemas/audit-event";
import { ZAuditVerification } from "@/lib/schemas/audit-verification";
import { ZEvidencePack } from "@/lib/schemas/evidence-pack";
import { ZApiAuditExportQuery, ZApiAuditSearchQuery } from "../schemas";
import {
  AUTHENTICATED_ERRORS,
  onOneRequest,
  readWithQuery,
  responses,
  success,
  withCorrelationId,
  ZCorrelationIdHeader,
} from "./responses";

// A Record, so that the compiler insists on a description for every parameter the search takes.
const AUDIT_QUERY: Record<keyof AuditSearchInput, string> = {
  from: "Events at or after this time (ISO 8601 with its offset).",
  to: "Events before this time (ISO 8601 with its offset).",
  actor: "Who acted: the UPN recorded with the event, in any case.",
  requester: "Whose request the event belongs to: the requester's UPN, in any case.",
  involving:
    "Events involving this person (UPN, in any case): they acted, it is their request, or the event is about them (e.g. their sign-in).",
  system:
    "`exclude` leaves out system events: those with no person as actor other than request state changes, drift findings and retention (provider calls by jobs, the reconciler's per-cluster summaries, deferred removals, scheduled verification). Ignored when `type` or `requestId` is given (a request's trail stays whole). Default `include`.",
  cluster: "The request's cluster, e.g. aks-prod-weu.",
  role: "The request's role, e.g. admin.",
  type: "Event types; repeat the parameter for several (any of them matches).",
  requestId: "The events of one request.",
  activity:
    "Events of requests whose activity summary (from the cluster's audit logs, after the grant) shows all of these: `secret-reads`, `after-end` (calls after the access ended), `denied`. Repeat the parameter for several.",
  q: "Text anywhere in the request's justification or ticket, or in the event's comment or reason, in any case (% and _ are plain characters).",
  limit: "Events per page.",
  count: "`exact` counts every match (slower on large histories); by default counting stops at 10,000.",
  cursor: "The previous page's `nextCursor`.",
};

/**
 * The query string a route parses, field by field, as parameters: the same schemas, each with its
 * words. `type` is documented as clients send it, repeated (the schema also takes a single value).
 */
function queryOf(schema: z.ZodObject, descriptions: Record<string, string>) {
  return z.object(
    Object.fromEntries(
      Object.entries(schema.shape).map(([name, field]) => [
        name,
        field.meta({
          description: descriptions[name],
          ...((name === "type" || name === "activity") && { param: { style: "form", explode: true } }),
        }),
      ]),
    ),
  );
}

export const auditPaths: ZodOpenApiPathsObject = {
  "/api/v1/audit": {
    get: readWithQuery(
      {
        operationId: "searchAudit",
        summary: "Search the audit history",
        description:
          "Events matching all the filters given, newest first, a page at a time: pass `nextCursor` back as `cursor` for the next page (pages stay put while new events are recorded). `count` is the number of matches on all pages. Unknown parameters are refused (400), so that a misspelt filter cannot widen the search. Auditors and admins only.",
        tags: ["audit"],
      },
      queryOf(ZApiAuditSearchQuery, AUDIT_QUERY),
      success("A page of matching events.", ZAuditPage),
    ),
  },
  "/api/v1/audit/export": {
    get: {
      operationId: "exportAudit",
      summary: "Export the audit history",
      description:
        "Every event matching the filters (the search's, without `limit` and `cursor`), newest first, as a file streamed while it is read: CSV with a header row (RFC 4180; columns seq, occurredAt, type, actorUpn, requesterUpn, requestId, clusterName, roleName, justification, ticket, data as JSON, hash; a value starting with =, +, - or @ gets a leading apostrophe so that spreadsheets show it rather than run it), or JSON Lines, one event per line with every stored field (id, actorId, subjectId, correlationId, prevHash and hash too, so that each hash can be checked again) and the request's. A transfer that breaks off is incomplete: check the client's exit status. Auditors and admins only.",
      tags: ["audit"],
      requestParams: { ...withCorrelationId, query: queryOf(ZApiAuditExportQuery, AUDIT_QUERY) },
      responses: responses(
        {
          "200": {
            description: "The matching events, as an attachment.",
            headers: z.object({
              "x-correlation-id": ZCorrelationIdHeader,
              "content-disposition": z.string().meta({
                description: "attachment, with a file name such as audit-events-2026-11-23T09-30-00-000Z.csv",
              }),
            }),
            content: { "text/csv": { schema: z.string() }, "application/x-ndjson": { schema: z.string() } },
          },
        },
        "BadRequest",
        ...AUTHENTICATED_ERRORS,
        "TooManyRequests",
      ),
    },
  },
  "/api/v1/requests/{id}/evidence": {
    get: {
      operationId: "getEvidencePack",
      summary: "A request's evidence pack",
      description:
        "The request, every audit event of it with its hash, and the run of the hash chain between its first and last event (other events as hashes only), as a JSON file. Check it offline with `npm run audit:verify -- --pack FILE`. Auditors and admins only.",
      tags: ["audit"],
      requestParams: onOneRequest,
      responses: responses(
        {
          "200": success("The evidence pack.", ZEvidencePack, {
            "content-disposition": z.string().meta({ description: "attachment, named after the request" }),
          }),
        },
        ...AUTHENTICATED_ERRORS,
        "NotFound",
        "TooManyRequests",
      ),
    },
  },
  "/api/v1/audit/verify": {
    get: {
      operationId: "verifyAuditChain",
      summary: "Verify the audit chain",
      description:
        "Checks every link of the audit history's hash chain now and returns the count and the first broken link, if any. The result is kept (the Audit page shows the latest) and the check is itself recorded. Auditors and admins only.",
      tags: ["audit"],
      requestParams: withCorrelationId,
      responses: responses(
        { "200": success("The verification's result.", ZAuditVerification) },
        ...AUTHENTICATED_ERRORS,
      ),
    },
  },
};
