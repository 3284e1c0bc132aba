import "server-only";
import { env } from "@/lib/config/env";
import type { Prisma } from "@/lib/db/client";
import { checkOpenRequests, findResubmission, type Filing } from "@/lib/domain/open-requests";
import { OPEN_STATUSES, parseRequestStatus } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";

const at = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Refuses a request that duplicates one of the requester's open requests for the same role and
 * cluster, or that would exceed MAX_OPEN_REQUESTS_PER_ROLE (lib/domain/open-requests.ts decides).
 * Runs in the filing transaction, under a lock per (requester, cluster, role), so that two requests
 * sent at once cannot both pass: the second waits for the first to commit and then sees it (lock and
 * read in one round trip: open_requests_locked, migration 20261205173100_open_requests_locked). The same
 * filing sent twice within a minute (a double-click) is refused first, pointing at the first one, so
 * that it does not read as "already active" when the first was approved by policy at once.
 */
export async function assertOpenRequestQuota(
  tx: Prisma.TransactionClient,
  filing: { requesterId: string; clusterName: string; roleName: string; now: Date } & Filing,
) {
  const { requesterId, clusterName, roleName, now } = filing;
  const lockKey = `access-request:${requesterId}:${clusterName}:${roleName}`;
  const existing = await tx.$queryRaw<
    Array<{
      id: string;
      status: string;
      startAt: Date | null;
      durationMinutes: number;
      activeFrom: Date | null;
      activeUntil: Date | null;
      justification: string;
      ticket: string | null;
      isBreakGlass: boolean;
      createdAt: Date;
    }>
  >`SELECT * FROM open_requests_locked(${lockKey}, ${requesterId}::uuid, ${clusterName}, ${roleName}, ${[...OPEN_STATUSES]}::text[])`;
  const open = existing.map((r) => ({ ...r, status: parseRequestStatus(r.status, r.id) }));
  const first = env.REFUSE_DUPLICATE_REQUESTS ? findResubmission(filing, open, now) : undefined;
  if (first) {
    throw new AppError("CONFLICT", {
      message: `resubmission of request ${first.id}`,
      userMessage: `You filed this same request for ${roleName} on ${clusterName} a moment ago; it was not filed twice. Follow that one.`,
      link: { href: `/requests/${first.id}`, label: "Open your request" },
    });
  }
  const verdict = checkOpenRequests({
    draft: filing,
    existing: open,
    maxOpen: env.MAX_OPEN_REQUESTS_PER_ROLE,
    isOverlapRefused: env.REFUSE_DUPLICATE_REQUESTS,
    now,
  });
  if (verdict.isAllowed) return;
  switch (verdict.reason) {
    case "active":
      throw new AppError("CONFLICT", {
        message: `access already active: request ${verdict.existing.id}`,
        userMessage: `You already have ${roleName} on ${clusterName}${verdict.existing.activeUntil ? ` until ${at(verdict.existing.activeUntil)}` : ""}. Extend that access instead of filing a new request.`,
        link: { href: `/requests/${verdict.existing.id}`, label: "Extend instead" },
      });
    case "duplicate":
      throw new AppError("CONFLICT", {
        message: `duplicate of pending request ${verdict.existing.id}`,
        userMessage: `You already have a pending request for ${roleName} on ${clusterName} for the same time. Follow that one (or cancel it) instead of filing it again.`,
        link: { href: `/requests/${verdict.existing.id}`, label: "Open the pending request" },
      });
    case "cap":
      throw new AppError("CONFLICT", {
        message: `open request cap: ${verdict.openCount} open, at most ${env.MAX_OPEN_REQUESTS_PER_ROLE}`,
        userMessage: `You have ${verdict.openCount} open requests for ${roleName} on ${clusterName}, the most allowed at a time. Cancel one, or wait until one ends, then file again.`,
        link: { href: "/access", label: "Your requests" },
      });
    default:
      return verdict satisfies never;
  }
}
