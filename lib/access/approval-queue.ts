import "server-only";
import { can } from "@/lib/auth/permissions";
import type { SessionUser } from "@/lib/context";
import { db, type Prisma } from "@/lib/db/client";

/**
 * The requests this viewer can still decide, as SQL: pending and not yet timed out, routed to one
 * of their approver groups, not their own, and not approved by them already (the quorum counts
 * distinct approvers). The same conditions lib/domain/policy.ts `checkDecider` and the decider's
 * `approve` check, so the count in the navigation matches the Approve buttons a viewer is offered.
 */
function awaitingDecisionBy(viewer: SessionUser, now: Date): Prisma.AccessRequestWhereInput {
  return {
    status: "pending",
    pendingExpiresAt: { gt: now },
    approverGroupIds: { hasSome: viewer.groupIds.map((id) => id.toLowerCase()) },
    requesterId: { not: viewer.id },
    decisions: { none: { deciderId: viewer.id } },
  };
}

/** How many requests wait for this viewer's decision (0 for those who approve nothing). */
export async function countAwaitingMyDecision(viewer: SessionUser, now = new Date()): Promise<number> {
  if (!can(viewer.roles, "request.approve")) return 0;
  return db.accessRequest.count({ where: awaitingDecisionBy(viewer, now) });
}

/**
 * The next request waiting for this viewer, oldest first (the one closest to timing out), other than
 * `exceptId` (the one just decided); null when nothing else waits.
 */
export async function nextAwaitingMyDecision(
  viewer: SessionUser,
  exceptId: string,
  now = new Date(),
): Promise<string | null> {
  if (!can(viewer.roles, "request.approve")) return null;
  const next = await db.accessRequest.findFirst({
    where: { AND: [awaitingDecisionBy(viewer, now), { id: { not: exceptId } }] },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return next?.id ?? null;
}
