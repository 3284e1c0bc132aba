import "server-only";
import { z } from "zod";
import type { SessionUser } from "@/lib/context";
import { getCatalog } from "@/lib/config/catalog";
import { db, type Prisma } from "@/lib/db/client";
import { isEligible } from "@/lib/domain/policy";
import { env } from "@/lib/config/env";
import { findRole } from "@/lib/config/catalog-schema";
import { accessCommands, type AccessCommand } from "./access-commands";
import { factsByCluster } from "@/lib/posture/posture-queries";
import type { ClusterFacts } from "@/lib/posture/types";
import { authorize } from "@/lib/auth/authorize";
import { assertRequestId, notFound } from "./request-record";
import { mayReviewRequesterHistory, requestVisibility } from "@/lib/domain/affordances";
import { requestViewer, toRequestView, type RequestPage, type RequestView } from "./request-view";

export type { RequestPage, RequestView } from "./request-view";

/**
 * Read models for pages and the API: the SQL, with what the viewer may see in its WHERE (a requester
 * sees their own requests, an approver those routed to their groups, auditors and admins all). What
 * the viewer may do to each request is request-view.ts's, from the domain.
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

/**
 * Which requests the viewer may see (lib/domain/affordances.ts, requestVisibility) as the filter
 * every read of someone's requests applies. Routing reads the policy snapshot's approverGroupIds;
 * the catalog, the settings and sign-in all store group ids in lower case, as the domain compares them.
 */
export function visibleTo(viewer: SessionUser): Prisma.AccessRequestWhereInput {
  const visibility = requestVisibility(requestViewer(viewer));
  if (visibility.scope === "all") return {};
  const routed = visibility.approverGroupIds.map((g) => ({
    policy: { path: ["approverGroupIds"], array_contains: [g] },
  }));
  return { OR: [{ requesterId: visibility.requesterId }, ...routed] };
}

/** The clusters' last posture facts (lib/posture/posture-queries.ts): what the connection commands follow. */
type PostureFacts = ReadonlyMap<string, ClusterFacts | null>;
const NO_FACTS: PostureFacts = new Map();

/** The row as the viewer sees it (request-view.ts): what they may do to it is the domain's answer. */
function toView(
  row: RequestRow,
  viewer: SessionUser,
  facts: PostureFacts,
  now = new Date(),
  deferredRemoval: RequestView["deferredRemoval"] = null,
): RequestView {
  return toRequestView(row, viewer, {
    now,
    tokenLifetimeMinutes: env.TOKEN_LIFETIME_MINUTES,
    commandsFor: (r) => commandsFor(r, facts),
    deferredRemoval,
  });
}

function commandsFor(row: Pick<RequestRow, "clusterName" | "roleName">, facts: PostureFacts): AccessCommand[] {
  const found = findRole(getCatalog(), row.clusterName, row.roleName);
  return found ? accessCommands(found.cluster, found.role, facts.get(row.clusterName) ?? null) : [];
}

/** One request, if the viewer may see it (404 otherwise: its existence is not disclosed). */
export async function loadRequestView(id: string, viewer: SessionUser): Promise<RequestView> {
  assertRequestId(id);
  const row = await findRequest(id, viewer);
  if (!row) throw notFound(id);
  const [facts, deferredRemoval] = await Promise.all([factsByCluster(), deferredRemovalOf(id)]);
  return toView(row, viewer, facts, new Date(), deferredRemoval);
}

/**
 * A request its requester has just filed, as they see it, from the row the filing wrote: nobody has
 * decided it yet and it holds no grant, so there is nothing else to read.
 */
export function viewOfFiledRequest(
  row: Omit<RequestRow, "requester" | "decisions">,
  requester: SessionUser,
): RequestView {
  const { id, userPrincipalName, displayName } = requester;
  // Not active yet: no commands, so no posture to read.
  return toView({ ...row, requester: { id, userPrincipalName, displayName }, decisions: [] }, requester, NO_FACTS);
}

/** What an `access.removal_deferred` event says (lib/access/expire-access.ts); older events may lack it. */
const ZRemovalDeferred = z.object({ grantId: z.string().min(1), notBefore: z.string().min(1) });

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
    const deferral = ZRemovalDeferred.safeParse(data);
    if (!deferral.success) continue;
    const { grantId, notBefore } = deferral.data;
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
  const [rows, facts] = await Promise.all([
    db.accessRequest.findMany({
      where,
      orderBy: [{ [newestBy]: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize + 1,
      include: requestInclude,
    }),
    factsByCluster(),
  ]);
  return {
    requests: rows.slice(0, pageSize).map((row) => toView(row, viewer, facts)),
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
  const [rows, facts] = await Promise.all([
    db.accessRequest.findMany({
      where: { requesterId: viewer.id, status: "active" },
      orderBy: { activeUntil: "asc" },
      include: requestInclude,
    }),
    factsByCluster(),
  ]);
  return rows.map((row) => toView(row, viewer, facts));
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
  const [rows, facts] = await Promise.all([
    db.accessRequest.findMany({
      // Only what the viewer could open: an approver of one group learns nothing of requests routed to another.
      where: { AND: [{ requesterId, clusterName, id: { not: excludeId } }, visibleTo(viewer)] },
      orderBy: { createdAt: "desc" },
      take: 10,
      include: requestInclude,
    }),
    factsByCluster(),
  ]);
  return rows.map((row) => toView(row, viewer, facts));
}

/**
 * The requester's recent requests on the request's cluster: context for an approver looking at
 * someone else's request (null for anyone else).
 */
export async function requesterHistory(
  viewer: SessionUser,
  request: Pick<RequestView, "id" | "requester" | "clusterName">,
) {
  if (!mayReviewRequesterHistory(requestViewer(viewer), request.requester.id)) return null;
  return recentRequestsOnCluster(viewer, request.requester.id, request.clusterName, request.id);
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
