/**
 * What one viewer may do to one request now, for pages, lists and the API: every answer is a dry
 * run of the decider (or of the policy check the use case runs), combined with the viewer's role
 * permissions, so that a button is offered exactly when the action would be accepted.
 */
import { checkDecider, extensionRoom } from "./policy";
import { decide, describeStatus, isAwaitingDecision, type RequestCommand, type RequestState } from "./request-state";

/** The role permissions (lib/auth/permissions.ts) that what a viewer may see and do depends on. */
export type ViewerPermission = "request.approve" | "access.administer" | "audit.read";

export interface RequestViewer {
  id: string;
  /** Entra group object ids, for approval routing */
  groupIds: readonly string[];
  /** which of the role permissions the viewer holds, as lib/auth/permissions.ts answers it */
  permissions: readonly ViewerPermission[];
}

export interface RequestAffordances {
  /** may approve or deny it now; when not, `cannotDecideReason` says why */
  canDecide: boolean;
  cannotDecideReason: string | null;
  canCancel: boolean;
  /** the holder may end active access early (and sees the commands that use it) */
  canEndEarly: boolean;
  /** the holder may extend it now; `extension` says how (directly, or as a new request for approvers) */
  canExtend: boolean;
  extension: { isApprovalRequired: boolean; maxMoreMinutes: number } | null;
  canRevoke: boolean;
  canRetry: boolean;
}

// Dry runs need a text where the real command carries the person's words; its content is never used.
const DRY_RUN_TEXT = "dry run";

const accepts = (state: RequestState, command: RequestCommand, now: Date) => decide(state, command, now).isAccepted;

function cannotDecideReason(state: RequestState, viewer: RequestViewer, now: Date): string | null {
  if (!isAwaitingDecision(state.status)) return `This request is ${describeStatus(state.status)}.`;
  const decider = checkDecider({
    policy: state.policy,
    requesterId: state.requesterId,
    actorId: viewer.id,
    actorGroupIds: viewer.groupIds,
  });
  if (!decider.isAllowed) return decider.message;
  const approval = decide(state, { type: "approve", actorId: viewer.id }, now);
  return approval.isAccepted ? null : approval.message;
}

/**
 * How much longer the holder may keep active access: null when they cannot extend it at all. An
 * extension that needs approval is still offered (as a new request), whatever room is left.
 */
function extensionOffer(state: RequestState, viewer: RequestViewer, now: Date): RequestAffordances["extension"] {
  const { extension: rule } = state.policy;
  const { activeFrom, activeUntil } = state;
  const isHolder = accepts(state, { type: "deactivate", actorId: viewer.id }, now);
  if (!isHolder || !rule.isAllowed || !activeFrom || !activeUntil || activeUntil <= now) return null;
  return { isApprovalRequired: rule.isApprovalRequired, maxMoreMinutes: extensionRoom(rule, activeFrom, activeUntil) };
}

/**
 * Which requests a viewer may see: all of them with the audit permission (auditors, admins);
 * otherwise their own, and, for approvers, those routed to one of their groups. Reads of requests
 * turn this into their query's filter (lib/access/request-queries.ts), so lists and single reads
 * agree with `mayView`.
 */
export type RequestVisibility =
  { scope: "all" } | { scope: "own-and-routed"; requesterId: string; approverGroupIds: readonly string[] };

export function requestVisibility(viewer: RequestViewer): RequestVisibility {
  if (viewer.permissions.includes("audit.read")) return { scope: "all" };
  const approverGroupIds = viewer.permissions.includes("request.approve")
    ? viewer.groupIds.map((id) => id.toLowerCase())
    : [];
  return { scope: "own-and-routed", requesterId: viewer.id, approverGroupIds };
}

export function mayView(
  viewer: RequestViewer,
  request: Pick<RequestState, "requesterId"> & { policy: { approverGroupIds: readonly string[] } },
): boolean {
  const visibility = requestVisibility(viewer);
  if (visibility.scope === "all") return true;
  const routed = new Set(request.policy.approverGroupIds.map((id) => id.toLowerCase()));
  return request.requesterId === visibility.requesterId || visibility.approverGroupIds.some((id) => routed.has(id));
}

/** An approver deciding someone else's request sees the requester's recent requests on that cluster. */
export const mayReviewRequesterHistory = (viewer: RequestViewer, requesterId: string) =>
  viewer.permissions.includes("request.approve") && viewer.id !== requesterId;

export function requestAffordances(state: RequestState, viewer: RequestViewer, now: Date): RequestAffordances {
  const may = (permission: ViewerPermission) => viewer.permissions.includes(permission);
  const reason = cannotDecideReason(state, viewer, now);
  const extension = extensionOffer(state, viewer, now);
  const actorId = viewer.id;
  return {
    canDecide: reason === null && may("request.approve"),
    cannotDecideReason: reason,
    canCancel: accepts(state, { type: "cancel", actorId }, now),
    canEndEarly: accepts(state, { type: "deactivate", actorId }, now),
    canExtend: extension !== null && (extension.isApprovalRequired || extension.maxMoreMinutes > 0),
    extension,
    canRevoke: may("access.administer") && accepts(state, { type: "revoke", actorId, reason: DRY_RUN_TEXT }, now),
    canRetry: may("access.administer") && accepts(state, { type: "retry_activation", actorId }, now),
  };
}
