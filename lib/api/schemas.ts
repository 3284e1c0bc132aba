/** What the JSON API accepts: the use cases' own schemas, made strict at this edge. */
import { z } from "zod";
import { ZExtendInput, ZRevokeInput } from "@/lib/access/schemas";
import { ZApproveInput, ZDecisionInput, ZRequestAccessInput } from "@/lib/access/schemas";
import { EXPORT_FORMAT_NAMES } from "@/lib/audit/export";
import { ZAuditFilters, ZAuditSearch } from "@/lib/audit/filters";

/**
 * Unknown keys are refused rather than dropped: a script that misspells `startAt` or `breakGlass`
 * would otherwise get an immediate, non-break-glass request it did not ask for.
 */
export const ZApiRequestAccessInput = z.strictObject(ZRequestAccessInput.shape);
export const ZApiDecisionInput = z.strictObject(ZDecisionInput.shape);
export const ZApiDeactivateInput = z
  .strictObject({
    comment: ZDecisionInput.shape.comment.meta({ description: "Why the access ends early; kept in the audit trail." }),
  })
  .meta({ examples: [{ comment: "Certificate rotated, done." }] });
// A misspelt `stepUpToken` would otherwise be a 403 that blames the token rather than the field.
export const ZApiApproveInput = z.strictObject(ZApproveInput.shape);
export const ZApiExtendInput = z.strictObject(ZExtendInput.shape).meta({ examples: [{ duration: "PT30M" }] });
// A misspelt `endSessions` would otherwise leave the holder's sign-in sessions alive.
export const ZApiRevokeInput = z
  .strictObject(ZRevokeInput.shape)
  .meta({ examples: [{ reason: "Laptop reported stolen", endSessions: true }] });

export const REQUEST_SCOPES = ["mine", "approvable", "all"] as const;
export type RequestScope = (typeof REQUEST_SCOPES)[number];

export const ZListRequestsQuery = z.object({
  scope: z.enum(REQUEST_SCOPES, { message: "Use scope=mine, scope=approvable or scope=all." }).default("mine"),
  page: z.coerce
    .number({ message: "Use page=1 for the newest requests, page=2 for the next, and so on." })
    .int({ message: "Use page=1 for the newest requests, page=2 for the next, and so on." })
    .min(1, { message: "Use page=1 for the newest requests, page=2 for the next, and so on." })
    .max(10_000, { message: "page is at most 10000." })
    .default(1)
    .meta({ description: "1 for the newest requests, 2 for the next (older) ones, and so on." }),
});

export const GRANT_SCOPES = ["mine", "all"] as const;

export const ZListGrantsQuery = z.object({
  scope: z.enum(GRANT_SCOPES, { message: "Use scope=mine or scope=all." }).default("mine"),
});

// A misspelt filter (`actr=`) would otherwise be dropped, and the search or export cover everyone.
export const ZApiAuditSearchQuery = ZAuditSearch.strict();

export const ZApiAuditExportQuery = ZAuditFilters.extend({
  format: z.enum(EXPORT_FORMAT_NAMES, { message: "Use format=csv or format=jsonl." }),
}).strict();
