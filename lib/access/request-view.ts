/**
 * A stored request as one viewer sees it (RequestView): its facts, and what the viewer may do to it,
 * which the domain answers (lib/domain/affordances.ts) from the request's state and policy snapshot.
 * Pure: the clock, the token lifetime and the catalog's commands come in as arguments.
 */
import { can } from "@/lib/auth/permissions";
import type { SessionUser } from "@/lib/context";
import { requestAffordances, type RequestViewer, type ViewerPermission } from "@/lib/domain/affordances";
import { addMinutes } from "@/lib/domain/duration";
import { isTicketOwed } from "@/lib/domain/policy";
import { describeStatus } from "@/lib/domain/request-state";
import type { AccessCommand, RequestView } from "@/lib/schemas/request-view";
import { readRequestState, type StoredRequestRow } from "./stored-json";

export type { RequestPage, RequestView } from "@/lib/schemas/request-view";

/** What a view is made of: the request's row with its requester and decisions. */
export interface RequestViewRow extends StoredRequestRow {
  clusterName: string;
  roleName: string;
  durationMinutes: number;
  justification: string;
  ticket: string | null;
  createdAt: Date;
  failureReason: string | null;
  requester: { id: string; userPrincipalName: string; displayName: string };
  decisions: Array<{
    outcome: string;
    comment: string | null;
    decidedAt: Date;
    deciderId: string;
    decider: { userPrincipalName: string; displayName: string };
  }>;
}

export interface ViewContext {
  now: Date;
  /** TOKEN_LIFETIME_MINUTES: how long tokens issued before the end stay usable */
  tokenLifetimeMinutes: number;
  /** the commands that use the role's access (from the catalog), shown to its holder */
  commandsFor: (row: RequestViewRow) => AccessCommand[];
  /** only when reading one request (lib/access/request-queries.ts) */
  deferredRemoval?: RequestView["deferredRemoval"];
}

const VIEWER_PERMISSIONS: ViewerPermission[] = ["request.approve", "access.administer", "audit.read"];

/** The viewer as the domain's affordances read them: identity, groups and the role permissions that matter. */
export function requestViewer(user: Pick<SessionUser, "id" | "groupIds" | "roles">): RequestViewer {
  return {
    id: user.id,
    groupIds: user.groupIds,
    permissions: VIEWER_PERMISSIONS.filter((permission) => can(user.roles, permission)),
  };
}

function decisionOutcome(outcome: string, requestId: string): "approve" | "deny" {
  if (outcome === "approve" || outcome === "deny") return outcome;
  throw new Error(`decisions of access_requests ${requestId}: unknown outcome "${outcome}"`);
}

function factsOf(row: RequestViewRow) {
  return {
    id: row.id,
    clusterName: row.clusterName,
    roleName: row.roleName,
    durationMinutes: row.durationMinutes,
    justification: row.justification,
    ticket: row.ticket,
    startAt: row.startAt?.toISOString() ?? null,
    isBreakGlass: row.isBreakGlass,
    approvalsRequired: row.approvalsRequired,
    pendingExpiresAt: row.pendingExpiresAt.toISOString(),
    activeFrom: row.activeFrom?.toISOString() ?? null,
    activeUntil: row.activeUntil?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    requester: row.requester,
    decisions: row.decisions.map((d) => ({
      outcome: decisionOutcome(d.outcome, row.id),
      comment: d.comment,
      decidedAt: d.decidedAt.toISOString(),
      by: d.decider.displayName,
      byUpn: d.decider.userPrincipalName,
    })),
    failureReason: row.failureReason,
  };
}

export function toRequestView(row: RequestViewRow, viewer: SessionUser, context: ViewContext): RequestView {
  const approverIds = row.decisions.filter((d) => d.outcome === "approve").map((d) => d.deciderId);
  const state = readRequestState(row, approverIds);
  const { stepUp } = state.policy;
  const may = requestAffordances(state, requestViewer(viewer), context.now);
  return {
    ...factsOf(row),
    isTicketOwed: isTicketOwed(state.policy, row),
    status: state.status,
    statusLabel: describeStatus(state.status),
    ...may,
    stepUp: stepUp
      ? { maxAgeMinutes: stepUp.maxAgeMinutes, authenticationContext: stepUp.authenticationContext ?? null }
      : null,
    effectiveUntil: row.activeUntil ? addMinutes(row.activeUntil, context.tokenLifetimeMinutes).toISOString() : null,
    deferredRemoval: context.deferredRemoval ?? null,
    // What the holder runs to use their active access: shown exactly when they could end it early.
    commands: may.canEndEarly ? context.commandsFor(row) : [],
  };
}
