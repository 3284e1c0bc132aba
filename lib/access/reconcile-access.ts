import "server-only";
import { randomUUID } from "node:crypto";
import { grantTargets, type Binding, type CurrentAssignment } from "@/lib/cloud/access-provider";
import { compareBinding, type DriftCandidate } from "@/lib/domain/drift";
import { providerFor } from "@/lib/cloud/providers";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { getCatalog } from "@/lib/config/catalog";
import { db, type Prisma } from "@/lib/db/client";
import { log } from "@/lib/log";
import { timeReconcile } from "@/lib/metrics/record";
import { authorizeAttempt } from "@/lib/auth/refusals";
import type { ActionContext } from "@/lib/context";
import { bindingKey } from "./grant-ledger";
import { auditedCall } from "./provider-call";
import { readGrantTarget } from "./stored-json";

/** Every distinct binding the catalog grants, with its key: the scopes the reconciler watches. */
function catalogBindings(): Array<{ key: string; binding: Binding }> {
  const bindings = new Map<string, Binding>();
  for (const cluster of getCatalog().clusters) {
    for (const role of cluster.roles) {
      for (const { principalId: _nobody, ...binding } of grantTargets(cluster, role, "")) {
        bindings.set(bindingKey(binding), binding);
      }
    }
  }
  return [...bindings].map(([key, binding]) => ({ key, binding }));
}

/**
 * The `reconcile` job: reads every catalog binding's current assignments and records drift. A
 * finding stays open while it is seen, and closes as "gone" when a later run no longer sees it.
 * A binding whose service cannot be read is skipped this time, and its findings are kept.
 */
export async function reconcileAccess(
  now: Date,
  /** an admin's "Check now" passes theirs, so that what it found is tied to who asked */
  correlationId = `reconcile-${randomUUID()}`,
): Promise<{ bindings: number; open: number; skipped: number }> {
  const endRun = timeReconcile();
  let skipped = 0;
  const checkedKeys: string[] = [];
  const candidates: Array<DriftCandidate<Binding>> = [];
  for (const { key, binding } of catalogBindings()) {
    let assignments: CurrentAssignment[];
    try {
      assignments = await auditedCall(
        { requestId: null, correlationId, grantKind: binding.grant.kind, operation: "list" },
        () => providerFor(binding.grant.kind).list(binding),
      );
    } catch (error) {
      skipped += 1;
      log.warn({ binding: key, err: error instanceof Error ? error.message : String(error) }, "reconcile skipped");
      continue;
    }
    const grants = await db.grant.findMany({ where: { bindingKey: key, status: "active" } });
    checkedKeys.push(key);
    candidates.push(
      ...compareBinding({
        key,
        binding,
        assignments,
        grants: grants.map((g) => ({
          id: g.id,
          principalId: readGrantTarget(g.target, g.id).principalId,
          endAt: g.endAt,
          appliedAt: g.appliedAt,
        })),
        now,
      }),
    );
  }
  const open = await db.$transaction((tx) => recordFindings(tx, checkedKeys, candidates, now, correlationId));
  endRun(skipped);
  return { bindings: checkedKeys.length, open, skipped };
}

async function recordFindings(
  tx: Prisma.TransactionClient,
  checkedKeys: string[],
  candidates: Array<DriftCandidate<Binding>>,
  now: Date,
  correlationId: string,
) {
  // Before any finding is touched: two runs, or a run and an admin's resolution, take turns.
  await lockAuditChain(tx);
  const existing = await tx.driftFinding.findMany({ where: { resolvedAt: null, bindingKey: { in: checkedKeys } } });
  const identity = (f: { kind: string; bindingKey: string; principalId: string }) =>
    `${f.kind}|${f.bindingKey}|${f.principalId.toLowerCase()}`;
  const seen = new Set(candidates.map(identity));
  for (const finding of existing) {
    if (seen.has(identity(finding))) continue;
    await tx.driftFinding.update({ where: { id: finding.id }, data: { resolvedAt: now, resolution: "gone" } });
  }
  const known = new Map(existing.map((f) => [identity(f), f]));
  for (const candidate of candidates) {
    const finding = known.get(identity(candidate));
    if (finding) {
      await tx.driftFinding.update({ where: { id: finding.id }, data: { lastSeenAt: now, endAt: candidate.endAt } });
      continue;
    }
    const created = await tx.driftFinding.create({
      data: {
        kind: candidate.kind,
        bindingKey: candidate.bindingKey,
        target: candidate.target as unknown as Prisma.InputJsonValue,
        principalId: candidate.principalId,
        grantId: candidate.grantId,
        providerId: candidate.providerId,
        endAt: candidate.endAt,
        detectedAt: now,
        lastSeenAt: now,
      },
    });
    await recordAuditEvent(tx, {
      type: "drift.detected",
      actor: null,
      subjectId: created.id,
      correlationId,
      occurredAt: now,
      data: {
        findingId: created.id,
        kind: candidate.kind,
        bindingKey: candidate.bindingKey,
        principalId: candidate.principalId,
        grantId: candidate.grantId,
        providerId: candidate.providerId,
      },
    });
  }
  return tx.driftFinding.count({ where: { resolvedAt: null } });
}

/** An admin asks for a drift check now rather than at the next scheduled run; who asked is audited with what it found. */
export async function reconcileNow(context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "drift.check");
  const result = await reconcileAccess(context.now, context.origin.correlationId);
  const { viewer, origin } = context;
  await db.$transaction((tx) =>
    recordAuditEvent(tx, {
      type: "drift.checked",
      actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
      correlationId: origin.correlationId,
      occurredAt: context.now,
      data: { ...result, channel: origin.channel, ip: origin.ip, userAgent: origin.userAgent },
    }),
  );
  return result;
}
