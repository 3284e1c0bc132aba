/**
 * A request's policy as stored with it (access_requests.policy), read back through its schema
 * rather than cast: a row that does not match fails naming the row, instead of surfacing later as
 * an undefined field in a permission check.
 */
import { z } from "zod";
import { ZExtensionRule, ZRolePolicy } from "./policy-schema";
import type { RolePolicy } from "./policy-types";

/**
 * The policy as it was when the request was filed. Snapshots outlive catalog changes, so rows of
 * every version are read:
 * - v1 (first release): the fields of ZRolePolicy up to isBreakGlassAllowed;
 * - v2 added `extension` and `isSessionRevokedOnEnd`: older rows read "no extension" and "sessions kept";
 * - v3 added `stepUp`, optional: absent means no fresh sign-in is asked for.
 * Keys this version does not know (a newer replica's, during a rolling upgrade) are dropped, not refused.
 */
export const ZPolicySnapshot = z.object({
  ...ZRolePolicy.shape,
  extension: ZExtensionRule.default({ isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: true }),
  isSessionRevokedOnEnd: z.boolean().default(false),
});

/** Stored JSON that does not match its schema: names the table, the row, the column and what is wrong. */
export class StoredDataError extends Error {
  constructor(where: { table: string; rowId: string; column: string }, error: z.ZodError) {
    super(
      `${where.table} ${where.rowId}: the stored ${where.column} does not match its schema: ${z.prettifyError(error)}`,
    );
    this.name = "StoredDataError";
  }
}

export function readStoredJson<T extends z.ZodType>(
  schema: T,
  json: unknown,
  where: { table: string; rowId: string; column: string },
): z.output<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new StoredDataError(where, parsed.error);
  return parsed.data;
}

/** access_requests.policy, with the defaults older snapshots lack. */
export const readPolicySnapshot = (json: unknown, requestId: string): RolePolicy =>
  readStoredJson(ZPolicySnapshot, json, { table: "access_requests", rowId: requestId, column: "policy" });
