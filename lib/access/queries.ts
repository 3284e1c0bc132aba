import "server-only";
import { can } from "@/lib/auth/permissions";
import type { SessionUser } from "@/lib/auth/session";
import { getCatalog } from "@/lib/config/catalog";
import { db, type Prisma } from "@/lib/db/client";
import { checkDecider, isEligible } from "@/lib/domain/policy";
import { extensionRuleOf, type RolePolicy } from "@/lib/domain/policy-types";
import { addMinutes } from "@/lib/domain/duration";
import { env } from "@/lib/config/env";
import { findRole } from "@/lib/config/catalog-schema";
import { accessCommands, type AccessCommand } from "./access-commands";
import { describeStatus, type RequestStatus } from "@/lib/domain/request-state";
import { authorize } from "@/lib/auth/authorize";
import { assertRequestId, notFound } from "./request-record";

/**
 * Read models for pages and the API. Every query filters by what the viewer may see: a requester
 * sees their own requests, an approver those routed to their groups, auditors and admins all.
 */

const requestInclude = {
  requester: { select: { id: true, userPrincipalName: true, displayName: true } },
  decisions: {
    orderBy: { decidedAt: "asc" as const },
    select: {
      outcome: true,
      comment: true,
      decidedAt: true,
      deciderId: true,
      decider: { select: { userPrincipalName: true, displayName: true } },
    },
  },
};

type RequestRow = NonNullable<Awaited<ReturnType<typeof findRequest>>>;
/** One request, if the viewer may see it (visibleTo). */
const findRequest = (id: string, viewer: SessionUser) =>
  db.accessRequest.findFirst({ where: { AND: [{ id }, visibleTo(viewer)] }, include: requestInclude });

export interface RequestView {
  id: string;
  clusterName: string;
  roleName: string;
  status: RequestStatus;
  statusLabel: string;
  durationMinutes: number;
  justification: string;
  ticket: string | null;
  startAt: string | null;
  isBreakGlass: boolean;
  approvalsRequired: number;
  pendingExpiresAt: string;
  /** when the access period started and ends, once activated */
  activeFrom: string | null;
  activeUntil: string | null;
  createdAt: string;
  requester: { id: string; userPrincipalName: string; displayName: string };
  decisions: Array<{ outcome: string; comment: string | null; decidedAt: string; by: string; byUpn: string }>;
  /** for the viewer: may they decide it now, and if not, why not */
  canDecide: boolean;
  cannotDecideReason: string | null;
  /** approving needs a fresh sign-in of at most this age (and this authentication context), from the request's policy */
  stepUp: { maxAgeMinutes: number; authenticationContext: string | null } | null;
  canCancel: boolean;
  /** the holder may end active access early */
  canEndEarly: boolean;
  /** active access's end plus the worst-case lifetime of tokens issued before it (TOKEN_LIFETIME_MINUTES) */
  effectiveUntil: string | null;
  /** why the activation failed, in the service's words */
  failureReason: string | null;
  /**
   * Access that ended early (or expired) but that PIM keeps for its minimum of 5 minutes: when it
   * is removed, and why. Only on a single request's view; null in lists.
   */
  deferredRemoval: { at: string; message: string } | null;
  /** the holder may extend it now; `extension` says how (directly, or as a new request for approvers) */
  canExtend: boolean;
  extension: { isApprovalRequired: boolean; maxMoreMinutes: number } | null;
  /** platform admins: take the access away, or try a failed activation again */
  canRevoke: boolean;
  canRetry: boolean;
  /** for the holder of active access: the commands that use it */
  commands: AccessCommand[];
}

function isApproverFor(viewer: SessionUser, policy: RolePolicy) {
  return can(viewer.roles, "request.approve") && policy.approverGroupIds.some((g) => viewer.groupIds.includes(g));
}

/**
 * The one rule for which requests a viewer may see, as a filter every read of someone's requests
 * applies: their own, all of them for auditors and admins, and for approvers those routed to their
 * groups (the policy's approverGroupIds, as isApproverFor reads it).
 */
function visibleTo(viewer: SessionUser): Prisma.AccessRequestWhereInput {
  if (can(viewer.roles, "audit.read")) return {};
  const routed = can(viewer.roles, "request.approve")
    ? viewer.groupIds.map((g) => ({ policy: { path: ["approverGroupIds"], array_contains: [g] } }))
    : [];
  return { OR: [{ requesterId: viewer.id }, ...routed] };
}

function toView(
  row: RequestRow,
  viewer: SessionUser,
  now = new Date(),
  deferredRemoval: RequestView["deferredRemoval"] = null,
): RequestView {
  const policy = row.policy as unknown as RolePolicy;
  const status = row.status as RequestStatus;
  const hasDecided = row.decisions.some((d) => d.deciderId === viewer.id);
  const decider = checkDecider({
    policy,
    requesterId: row.requesterId,
    actorId: viewer.id,
    actorGroupIds: viewer.groupIds,
  });
  const cannotDecideReason =
    status !== "pending"
      ? `This request is ${describeStatus(status)}.`
      : !decider.isAllowed
        ? decider.message
        : hasDecided
          ? "You have already decided this request."
          : null;
  return {
    id: row.id,
    clusterName: row.clusterName,
    roleName: row.roleName,
    status,
    statusLabel: describeStatus(status),
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
      outcome: d.outcome,
      comment: d.comment,
      decidedAt: d.decidedAt.toISOString(),
      by: d.decider.displayName,
      byUpn: d.decider.userPrincipalName,
    })),
    canDecide: cannotDecideReason === null && isApproverFor(viewer, policy),
    cannotDecideReason,
    stepUp: policy.stepUp
      ? {
          maxAgeMinutes: policy.stepUp.maxAgeMinutes,
          authenticationContext: policy.stepUp.authenticationContext ?? null,
        }
      : null,
    canCancel: status === "pending" && row.requesterId === viewer.id,
    canEndEarly: status === "active" && row.requesterId === viewer.id,
    effectiveUntil: row.activeUntil ? addMinutes(row.activeUntil, env.TOKEN_LIFETIME_MINUTES).toISOString() : null,
    failureReason: row.failureReason,
    deferredRemoval,
    ...extensionOf(row, viewer, now),
    canRevoke:
      can(viewer.roles, "access.administer") && (["active", "approved", "scheduled"] as string[]).includes(status),
    canRetry: can(viewer.roles, "access.administer") && status === "failed" && row.requesterId !== viewer.id,
    commands: status === "active" && row.requesterId === viewer.id ? commandsFor(row) : [],
  };
}

function extensionOf(row: RequestRow, viewer: SessionUser, now: Date) {
  const rule = extensionRuleOf(row.policy as Partial<RolePolicy>);
  const isHolder = row.status === "active" && row.requesterId === viewer.id && row.activeFrom && row.activeUntil;
  if (!isHolder || !rule.isAllowed || !row.activeFrom || !row.activeUntil || row.activeUntil <= now) {
    return { canExtend: false, extension: null };
  }
  const usedMinutes = (row.activeUntil.getTime() - row.activeFrom.getTime()) / 60_000;
  const maxMoreMinutes = Math.max(0, Math.floor(rule.maxTotalMinutes - usedMinutes));
  return {
    canExtend: rule.isApprovalRequired || maxMoreMinutes > 0,
    extension: { isApprovalRequired: rule.isApprovalRequired, maxMoreMinutes },
  };
}

function commandsFor(row: RequestRow): AccessCommand[] {
  const found = findRole(getCatalog(), row.clusterName, row.roleName);
  return found ? accessCommands(found.cluster, found.role) : [];
}

/** One request, if the viewer may see it (404 otherwise: its existence is not disclosed). */
export async function loadRequestView(id: string, viewer: SessionUser): Promise<RequestView> {
  assertRequestId(id);
  const row = await findRequest(id, viewer);
  if (!row) throw notFound(id);
  return toView(row, viewer, new Date(), await deferredRemovalOf(id));
}

/**
 * The latest moment a grant of this request stays because PIM refused to remove it sooner
 * (`access.removal_deferred`, lib/access/expire-access.ts), while such a grant is still in place.
 */
async function deferredRemovalOf(requestId: string): Promise<RequestView["deferredRemoval"]> {
  const events = await db.auditEvent.findMany({
    where: { requestId, type: "access.removal_deferred" },
    select: { data: true },
  });
  const deferredUntil = new Map<string, number>();
  for (const { data } of events) {
    const { grantId, notBefore } = data as { grantId?: string; notBefore?: string };
    if (!grantId || !notBefore) continue;
    deferredUntil.set(grantId, Math.max(deferredUntil.get(grantId) ?? 0, Date.parse(notBefore)));
  }
  if (deferredUntil.size === 0) return null;
  const pending = await db.grant.findMany({
    where: { id: { in: [...deferredUntil.keys()] }, status: "active" },
    select: { id: true, endAt: true },
  });
  // A grant another request covers anew meanwhile ends with that request, not with PIM's minimum.
  const ends = pending.filter((g) => g.endAt.getTime() <= (deferredUntil.get(g.id) ?? 0)).map((g) => g.endAt.getTime());
  if (ends.length === 0) return null;
  const at = new Date(Math.max(...ends));
  return {
    at: at.toISOString(),
    message: `Access ends at ${at.toISOString().slice(11, 16)} UTC: PIM keeps an assignment for at least 5 minutes.`,
  };
}

/** One page of a list, newest first. `hasNextPage` says whether page + 1 has any. */
export interface RequestPage {
  requests: RequestView[];
  page: number;
  pageSize: number;
  hasNextPage: boolean;
}

export const REQUEST_PAGE_SIZE = 50;
export const MAX_REQUEST_PAGE = 10_000;

export interface PageOptions {
  /** 1-based */
  page?: number;
  pageSize?: number;
}

/**
 * A page of the requests `where` selects, newest first (id breaks ties, so that pages never overlap).
 * The filter runs in SQL, on indexes: nothing the viewer may see is left out of a page because other
 * requests came first.
 */
async function pageOfRequests(
  viewer: SessionUser,
  where: Prisma.AccessRequestWhereInput,
  options: PageOptions,
  newestBy: "createdAt" | "updatedAt" = "createdAt",
): Promise<RequestPage> {
  const page = Math.min(MAX_REQUEST_PAGE, Math.max(1, Math.trunc(options.page ?? 1)));
  const pageSize = Math.min(100, Math.max(1, Math.trunc(options.pageSize ?? REQUEST_PAGE_SIZE)));
  const rows = await db.accessRequest.findMany({
    where,
    orderBy: [{ [newestBy]: "desc" }, { id: "desc" }],
    skip: (page - 1) * pageSize,
    take: pageSize + 1,
    include: requestInclude,
  });
  return {
    requests: rows.slice(0, pageSize).map((row) => toView(row, viewer)),
    page,
    pageSize,
    hasNextPage: rows.length > pageSize,
  };
}

/** The viewer's own requests, a page at a time. */
export async function listMyRequestsPage(viewer: SessionUser, options: PageOptions = {}): Promise<RequestPage> {
  authorize(viewer, "access.request");
  return pageOfRequests(viewer, { requesterId: viewer.id }, options);
}

/**
 * The approvals inbox: every pending request routed to one of the viewer's approver groups (their
 * own included, not decidable), newest first, a page at a time, selected in SQL by the
 * `approver_group_ids` column (GIN index) however many other groups' requests are pending.
 */
export async function listApprovableRequestsPage(viewer: SessionUser, options: PageOptions = {}): Promise<RequestPage> {
  authorize(viewer, "request.approve");
  return pageOfRequests(viewer, { status: "pending", approverGroupIds: { hasSome: viewer.groupIds } }, options);
}

/** Everyone's requests (auditors and admins), a page at a time. */
export async function listAllRequestsPage(viewer: SessionUser, options: PageOptions = {}): Promise<RequestPage> {
  authorize(viewer, "audit.read");
  return pageOfRequests(viewer, {}, options);
}

/** The viewer's active access, whatever page of their requests it is on (few: MAX_OPEN_REQUESTS_PER_ROLE). */
export async function listMyActiveRequests(viewer: SessionUser): Promise<RequestView[]> {
  authorize(viewer, "access.request");
  const rows = await db.accessRequest.findMany({
    where: { requesterId: viewer.id, status: "active" },
    orderBy: { activeUntil: "asc" },
    include: requestInclude,
  });
  return rows.map((row) => toView(row, viewer));
}

/** The first page of listMyRequestsPage (kept for callers that show only the latest). */
export async function listMyRequests(viewer: SessionUser, take = REQUEST_PAGE_SIZE): Promise<RequestView[]> {
  return (await listMyRequestsPage(viewer, { pageSize: take })).requests;
}

/** The first page of listApprovableRequestsPage, newest first. */
export async function listApprovableRequests(viewer: SessionUser): Promise<RequestView[]> {
  return (await listApprovableRequestsPage(viewer)).requests;
}

/** The first page of listAllRequestsPage. */
export async function listAllRequests(viewer: SessionUser, take = REQUEST_PAGE_SIZE): Promise<RequestView[]> {
  return (await listAllRequestsPage(viewer, { pageSize: take })).requests;
}

/** The requester's recent requests on one cluster: context for the approver. */
export async function recentRequestsOnCluster(
  viewer: SessionUser,
  requesterId: string,
  clusterName: string,
  excludeId: string,
) {
  authorize(viewer, "request.approve");
  const rows = await db.accessRequest.findMany({
    // Only what the viewer could open: an approver of one group learns nothing of requests routed to another.
    where: { AND: [{ requesterId, clusterName, id: { not: excludeId } }, visibleTo(viewer)] },
    orderBy: { createdAt: "desc" },
    take: 10,
    include: requestInclude,
  });
  return rows.map((row) => toView(row, viewer));
}

/** The audit events of one request, in order. */
export async function requestTimeline(viewer: SessionUser, id: string) {
  await loadRequestView(id, viewer);
  const events = await db.auditEvent.findMany({
    where: { requestId: id },
    orderBy: { seq: "asc" },
    select: { seq: true, type: true, occurredAt: true, actorUpn: true, data: true },
  });
  return events.map((e) => ({
    ...e,
    seq: e.seq.toString(),
    occurredAt: e.occurredAt.toISOString(),
    data: e.data as Record<string, unknown>,
  }));
}

/** The roles the viewer may request, per cluster, with their policies. */
export function eligibleRoles(viewer: SessionUser) {
  authorize(viewer, "access.request");
  return getCatalog()
    .clusters.map((cluster) => ({
      name: cluster.name,
      displayName: cluster.displayName,
      environment: cluster.environment,
      roles: cluster.roles
        .filter((role) => isEligible(role.policy, viewer.groupIds))
        .map((role) => ({ name: role.name, description: role.description, policy: role.policy })),
    }))
    .filter((cluster) => cluster.roles.length > 0);
}

/** Activations that gave up, newest first, a page at a time: what an admin may retry. */
export async function listFailedRequestsPage(viewer: SessionUser, options: PageOptions = {}): Promise<RequestPage> {
  authorize(viewer, "access.administer");
  return pageOfRequests(viewer, { status: "failed" }, options, "updatedAt");
}

/** The first page of listFailedRequestsPage. */
export async function listFailedRequests(viewer: SessionUser, take = REQUEST_PAGE_SIZE): Promise<RequestView[]> {
  return (await listFailedRequestsPage(viewer, { pageSize: take })).requests;
}
