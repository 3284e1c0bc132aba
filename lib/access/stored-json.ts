/**
 * The JSON columns the workflow reads back, parsed with their schemas instead of cast: a grant's
 * target here, a request's policy snapshot in lib/domain/policy-snapshot.ts (re-exported). A row
 * that does not match fails loudly, naming the table and the row.
 */
import { z } from "zod";
import type { GrantTarget } from "@/lib/cloud/access-provider";
import { readPolicySnapshot, readStoredJson } from "@/lib/domain/policy-snapshot";
import { parseRequestStatus, type RequestState } from "@/lib/domain/request-state";

export { readPolicySnapshot } from "@/lib/domain/policy-snapshot";

const ZStoredGrant = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["entraPimGroup", "entraGroup"]), groupId: z.string().min(1) }),
  z.object({
    kind: z.enum(["armPim", "armRoleAssignment"]),
    roleDefinitionId: z.string().min(1),
    scope: z.enum(["cluster", "nodeResourceGroup"]),
  }),
]);

/** A grant's binding and person, as the ledger (grants.target) and the reconciler (drift_findings.target) store it. */
export const ZGrantTarget = z.object({
  principalId: z.string(),
  grant: ZStoredGrant,
  clusterResourceId: z.string(),
  nodeResourceGroupId: z.string(),
}) satisfies z.ZodType<GrantTarget>;

/** grants.target (or drift_findings.target: pass the table). */
export const readGrantTarget = (
  json: unknown,
  rowId: string,
  table: "grants" | "drift_findings" = "grants",
): GrantTarget => readStoredJson(ZGrantTarget, json, { table, rowId, column: "target" });

/** The columns of an access_requests row that make up its domain state. */
export interface StoredRequestRow {
  id: string;
  status: string;
  requesterId: string;
  approvalsRequired: number;
  startAt: Date | null;
  pendingExpiresAt: Date;
  isBreakGlass: boolean;
  policy: unknown;
  activeFrom: Date | null;
  activeUntil: Date | null;
}

/** A stored request as the domain decides it; `approverIds`: who approved it so far, in order. */
export function readRequestState(row: StoredRequestRow, approverIds: string[]): RequestState {
  return {
    status: parseRequestStatus(row.status, row.id),
    requesterId: row.requesterId,
    approvalsRequired: row.approvalsRequired,
    approverIds,
    startAt: row.startAt,
    pendingExpiresAt: row.pendingExpiresAt,
    isBreakGlass: row.isBreakGlass,
    policy: readPolicySnapshot(row.policy, row.id),
    activeFrom: row.activeFrom,
    activeUntil: row.activeUntil,
  };
}
