import "server-only";
import { scopeOf, type Binding, type GrantTarget } from "@/lib/cloud/access-provider";
import type { Prisma } from "@/lib/db/client";
import { endAfterWithdrawal, endWhenCovered } from "@/lib/domain/grant-ledger";
import { readGrantTarget } from "./stored-json";

/**
 * The grant ledger: one current grant per person and binding. Covering a request either creates
 * the grant or pushes its end out (never in); the end is recorded here, in the caller's
 * transaction, before any provider call applies it.
 */
export function bindingKey(target: Binding) {
  const { grant } = target;
  if ("groupId" in grant) return `${grant.kind}:${grant.groupId}`;
  return `${grant.kind}:${grant.roleDefinitionId}:${scopeOf(target).toLowerCase()}`;
}

export interface LedgerGrant {
  id: string;
  target: GrantTarget;
  endAt: Date;
}

export async function coverWithGrant(
  tx: Prisma.TransactionClient,
  input: { userId: string; requestId: string; target: GrantTarget; endAt: Date },
): Promise<LedgerGrant> {
  const key = bindingKey(input.target);
  // Lock the current grant, if any, so that two activations for one person take turns.
  const rows = await tx.$queryRaw<Array<{ id: string; end_at: Date }>>`
    SELECT id, end_at FROM grants WHERE user_id = ${input.userId}::uuid AND binding_key = ${key} AND status = 'active' FOR UPDATE`;
  let grant: { id: string; endAt: Date };
  const current = rows[0];
  if (current) {
    const endAt = endWhenCovered(current.end_at, input.endAt);
    grant = await tx.grant.update({
      where: { id: current.id },
      data: { endAt, orphanedByRequestId: null },
      select: { id: true, endAt: true },
    });
  } else {
    grant = await tx.grant.create({
      data: {
        userId: input.userId,
        bindingKey: key,
        target: input.target as unknown as Prisma.InputJsonValue,
        status: "active",
        endAt: input.endAt,
      },
      select: { id: true, endAt: true },
    });
  }
  await tx.grantCoverage.upsert({
    where: { requestId_grantId: { requestId: input.requestId, grantId: grant.id } },
    create: { requestId: input.requestId, grantId: grant.id, endAt: input.endAt },
    update: {},
  });
  return { id: grant.id, target: input.target, endAt: grant.endAt };
}

/**
 * Withdraws a request's coverage (it ended early, or its activation failed). Grants nobody else
 * covers any more end now: they stay in the ledger as due, so the expiry sweep removes them even if
 * the caller's own attempt fails, and they name the request so that the removal lands on its audit
 * trail whoever makes it. The others keep the end their other requests give them.
 */
export async function uncover(tx: Prisma.TransactionClient, requestId: string, now: Date): Promise<LedgerGrant[]> {
  const covered = await tx.grantCoverage.findMany({ where: { requestId }, include: { grant: true } });
  const orphans: LedgerGrant[] = [];
  for (const { grant } of covered) {
    await tx.grantCoverage.delete({ where: { requestId_grantId: { requestId, grantId: grant.id } } });
    const others = await tx.grantCoverage.findMany({ where: { grantId: grant.id }, select: { endAt: true } });
    const next = endAfterWithdrawal(
      others.map((cover) => cover.endAt),
      now,
    );
    const orphanedByRequestId = next.isOrphan ? requestId : undefined;
    await tx.grant.update({ where: { id: grant.id }, data: { endAt: next.endAt, orphanedByRequestId } });
    if (next.isOrphan)
      orphans.push({ id: grant.id, target: readGrantTarget(grant.target, grant.id), endAt: next.endAt });
  }
  return orphans;
}

/**
 * Pushes a request's coverage out to `endAt` (an extension), and each grant it covers with it.
 * Returns the grants with their new ends, for the extend job to apply at the services.
 */
export async function extendCoverage(
  tx: Prisma.TransactionClient,
  requestId: string,
  endAt: Date,
): Promise<LedgerGrant[]> {
  const covered = await tx.grantCoverage.findMany({ where: { requestId, grant: { status: "active" } } });
  const extended: LedgerGrant[] = [];
  for (const { grantId } of covered) {
    const rows = await tx.$queryRaw<Array<{ end_at: Date; target: unknown }>>`
      SELECT end_at, target FROM grants WHERE id = ${grantId}::uuid FOR UPDATE`;
    const current = rows[0];
    if (!current) continue;
    const newEnd = endWhenCovered(current.end_at, endAt);
    await tx.grant.update({ where: { id: grantId }, data: { endAt: newEnd } });
    await tx.grantCoverage.update({ where: { requestId_grantId: { requestId, grantId } }, data: { endAt } });
    extended.push({ id: grantId, target: readGrantTarget(current.target, grantId), endAt: newEnd });
  }
  return extended;
}
