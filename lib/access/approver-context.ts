import "server-only";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import type { SessionUser } from "@/lib/context";
import { db } from "@/lib/db/client";
import {
  describeQuorum,
  findOverlaps,
  maySeeApproverContext,
  quorumOf,
  ticketUrl,
  type ContextRequest,
  type Person,
} from "@/lib/domain/approver-context";
import { OPEN_STATUSES, describeStatus, parseRequestStatus } from "@/lib/domain/request-state";
import { log } from "@/lib/log";
import { groupDisplayName, usersInGroups } from "@/lib/notify/directory-people";
import type { DirectoryPerson } from "@/lib/notify/recipients";
import { visibleTo } from "./request-queries";
import { requestViewer, type RequestView } from "./request-view";

/** What the catalog says of a request's cluster and role; null fields when the catalog no longer has them. */
export interface CatalogContext {
  environment: string | null;
  risk: "low" | "medium" | "high" | "critical" | null;
  roleDescription: string | null;
  ticketUrl: string | null;
}

export interface RelatedRequest {
  id: string;
  clusterName: string;
  roleName: string;
  status: string;
  statusLabel: string;
  /** when its access ends, or would end, as the domain reckons its period */
  activeUntil: string | null;
  /** access to the same role on the same cluster for a period that meets this request's */
  overlap: "active" | "open" | null;
}

/** What an approver or auditor sees beside someone else's request (null for anyone else). */
export interface ApproverContext {
  /** the requester's other open requests and active access that the viewer may open, active first */
  related: RelatedRequest[];
  quorum: string;
}

/** The catalog's words for the request's cluster and role, and the ticket's link: for everyone who sees the request. */
export function catalogContext(request: Pick<RequestView, "clusterName" | "roleName" | "ticket">): CatalogContext {
  const catalog = getCatalog();
  const found = findRole(catalog, request.clusterName, request.roleName);
  return {
    environment: found?.cluster.environment ?? null,
    risk: found?.cluster.risk ?? null,
    roleDescription: found?.role.description ?? null,
    ticketUrl: ticketUrl(catalog.ticket?.urlTemplate, request.ticket),
  };
}

const toContextRequest = (r: {
  id: string;
  clusterName: string;
  roleName: string;
  status: string;
  startAt: Date | null;
  durationMinutes: number;
  activeFrom: Date | null;
  activeUntil: Date | null;
}): ContextRequest => ({ ...r, status: parseRequestStatus(r.status, r.id) });

/**
 * The requester's other access and open requests (only those the viewer could open), with the ones
 * that overlap this request marked, and the quorum in words: who approved and who else may.
 */
export async function loadApproverContext(
  viewer: SessionUser,
  request: RequestView,
  now = new Date(),
): Promise<ApproverContext | null> {
  const row = await db.accessRequest.findUnique({
    where: { id: request.id },
    select: {
      id: true,
      requesterId: true,
      clusterName: true,
      roleName: true,
      status: true,
      startAt: true,
      durationMinutes: true,
      activeFrom: true,
      activeUntil: true,
      approverGroupIds: true,
    },
  });
  if (!row || !maySeeApproverContext(requestViewer(viewer), row)) return null;
  const others = await db.accessRequest.findMany({
    where: {
      AND: [
        { requesterId: row.requesterId, id: { not: row.id }, status: { in: [...OPEN_STATUSES] } },
        visibleTo(viewer),
      ],
    },
    orderBy: { createdAt: "desc" },
    take: 20,
    select: {
      id: true,
      clusterName: true,
      roleName: true,
      status: true,
      startAt: true,
      durationMinutes: true,
      activeFrom: true,
      activeUntil: true,
    },
  });
  const candidates = others.map(toContextRequest);
  const overlapping = new Map(
    findOverlaps(toContextRequest(row), candidates, now).map(({ request: r, kind }) => [r.id, kind]),
  );
  const related = candidates
    .map((r) => ({
      id: r.id,
      clusterName: r.clusterName,
      roleName: r.roleName,
      status: r.status,
      statusLabel: describeStatus(r.status),
      activeUntil: r.activeUntil?.toISOString() ?? null,
      overlap: overlapping.get(r.id) ?? null,
    }))
    .sort((a, b) => Number(b.status === "active") - Number(a.status === "active"));
  return { related, quorum: await quorumLine(request, row.approverGroupIds) };
}

/** How long the approver groups' names and members are reused: each live refresh of the page re-renders it. */
const DIRECTORY_TTL_MS = 60_000;
const directoryCache = new Map<string, { at: number; read: Promise<[string[], DirectoryPerson[]]> }>();

/**
 * The approver groups' names and members, from Entra at most DIRECTORY_TTL_MS ago (a failed read is
 * not kept). Only words on the page: whether someone may decide is checked live when they do.
 */
function approverDirectory(groupIds: readonly string[]): Promise<[string[], DirectoryPerson[]]> {
  const key = [...groupIds].sort().join(",");
  const cached = directoryCache.get(key);
  if (cached && Date.now() - cached.at < DIRECTORY_TTL_MS) return cached.read;
  const read = Promise.all([Promise.all(groupIds.map(groupDisplayName)), usersInGroups(groupIds)]);
  if (directoryCache.size >= 500) directoryCache.clear();
  directoryCache.set(key, { at: Date.now(), read });
  read.catch(() => directoryCache.delete(key));
  return read;
}

/** The quorum in words; the approver groups' members come from Entra (who joined or left since filing). */
async function quorumLine(request: RequestView, approverGroupIds: readonly string[]): Promise<string> {
  const byUpn = (upn: string, displayName: string): Person => ({ id: upn.toLowerCase(), displayName });
  const approvers = request.decisions.filter((d) => d.outcome === "approve").map((d) => byUpn(d.byUpn, d.by));
  const input = {
    approvalsRequired: request.approvalsRequired,
    approvers,
    requesterId: request.requester.userPrincipalName.toLowerCase(),
  };
  if (request.approvalsRequired === 0) return describeQuorum(quorumOf({ ...input, candidates: [] }), []);
  try {
    const [groups, people] = await approverDirectory(approverGroupIds);
    const candidates = people.filter((p) => p.isEnabled).map((p) => byUpn(p.userPrincipalName, p.displayName));
    return describeQuorum(quorumOf({ ...input, candidates }), groups);
  } catch (error) {
    // The page still serves the decision: the names are a help, not a condition.
    log.warn({ err: error, requestId: request.id }, "approver context: the directory could not be read");
    return describeQuorum(quorumOf({ ...input, candidates: [] }), [], false);
  }
}
