import "server-only";
import { grantTargets, type Binding, type CurrentAssignment } from "@/lib/cloud/access-provider";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import { providerFor } from "@/lib/cloud/providers";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { ReconcileSummary } from "@/lib/audit/events";
import { getCatalog } from "@/lib/config/catalog";
import { db, type Prisma } from "@/lib/db/client";
import { compareBinding, type DriftCandidate } from "@/lib/domain/drift";
import { log } from "@/lib/log";
import { bindingKey } from "./grant-ledger";
import { readWithoutAudit } from "./provider-call";
import { readGrantTarget } from "./stored-json";

/**
 * Every distinct binding the catalog grants, by cluster: the scopes one cluster's pass reads. A
 * binding several clusters share (one Entra group for every cluster's admins) is read once, by the
 * first cluster that names it, so that a pass reads each binding once.
 */
export function catalogBindingsByCluster(): Map<string, Array<{ key: string; binding: Binding }>> {
  const owner = new Map<string, string>();
  const byCluster = new Map<string, Array<{ key: string; binding: Binding }>>();
  for (const cluster of getCatalog().clusters) {
    const bindings: Array<{ key: string; binding: Binding }> = [];
    for (const role of cluster.roles) {
      for (const { principalId: _nobody, ...binding } of grantTargets(cluster, role, "")) {
        const key = bindingKey(binding);
        if (owner.has(key)) continue;
        owner.set(key, cluster.name);
        bindings.push({ key, binding });
      }
    }
    byCluster.set(cluster.name, bindings);
  }
  return byCluster;
}

/**
 * One cluster's part of a reconcile pass: reads the assignments of each of its bindings, compares
 * them with the ledger and, in one transaction, records the findings and one `drift.reconciled`
 * audit event that sums the pass up for this cluster. The HTTP reads themselves go to the logs and
 * metrics, not the audit: they change nothing. A binding whose service cannot be read keeps its
 * findings, and the summary says why it was not read.
 */
export async function reconcileCluster(
  clusterName: string,
  now: Date,
  pass: { correlationId: string; passId: string },
): Promise<ReconcileSummary> {
  const bindings = catalogBindingsByCluster().get(clusterName) ?? [];
  const calls = { graph: 0, arm: 0, throttled: 0 };
  const count = (made: ProviderCall[]) =>
    made.forEach((call) => {
      calls[call.service] += 1;
      if (call.status === 429) calls.throttled += 1;
    });
  const failures: ReconcileSummary["failures"] = [];
  const checkedKeys: string[] = [];
  const candidates: Array<DriftCandidate<Binding>> = [];
  let assignmentsSeen = 0;
  for (const { key, binding } of bindings) {
    let assignments: CurrentAssignment[];
    try {
      assignments = await readWithoutAudit(
        { correlationId: pass.correlationId, grantKind: binding.grant.kind, operation: "list", onCalls: count },
        () => providerFor(binding.grant.kind).list(binding),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push({ bindingKey: key, grantKind: binding.grant.kind, reason: reason.slice(0, 500) });
      log.warn({ cluster: clusterName, binding: key, err: reason }, "reconcile could not read a binding");
      continue;
    }
    assignmentsSeen += assignments.length;
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
  const failedKeys = failures.map((f) => f.bindingKey);
  return db.$transaction(async (tx) => {
    const findings = await recordFindings(tx, { checkedKeys, failedKeys, candidates, now, ...pass });
    const summary: ReconcileSummary = {
      cluster: clusterName,
      passId: pass.passId,
      bindings: bindings.length,
      bindingsRead: checkedKeys.length,
      assignmentsSeen,
      calls,
      findings,
      failures,
    };
    await recordAuditEvent(tx, {
      type: "drift.reconciled",
      actor: null,
      correlationId: pass.correlationId,
      occurredAt: now,
      data: summary,
    });
    return summary;
  });
}

async function recordFindings(
  tx: Prisma.TransactionClient,
  input: {
    checkedKeys: string[];
    failedKeys: string[];
    candidates: Array<DriftCandidate<Binding>>;
    now: Date;
    correlationId: string;
  },
): Promise<ReconcileSummary["findings"]> {
  const { checkedKeys, candidates, now, correlationId } = input;
  // Before any finding is touched: two clusters' passes, or a pass and an admin's resolution, take turns.
  await lockAuditChain(tx);
  const existing = await tx.driftFinding.findMany({ where: { resolvedAt: null, bindingKey: { in: checkedKeys } } });
  const identity = (f: { kind: string; bindingKey: string; principalId: string }) =>
    `${f.kind}|${f.bindingKey}|${f.principalId.toLowerCase()}`;
  const seen = new Set(candidates.map(identity));
  let closed = 0;
  for (const finding of existing) {
    if (seen.has(identity(finding))) continue;
    await tx.driftFinding.update({ where: { id: finding.id }, data: { resolvedAt: now, resolution: "gone" } });
    closed += 1;
  }
  const known = new Map(existing.map((f) => [identity(f), f]));
  let opened = 0;
  let stillOpen = 0;
  for (const candidate of candidates) {
    const finding = known.get(identity(candidate));
    if (finding) {
      await tx.driftFinding.update({ where: { id: finding.id }, data: { lastSeenAt: now, endAt: candidate.endAt } });
      stillOpen += 1;
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
    opened += 1;
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
  // Findings on bindings that could not be read stay as they were: not seen is not gone.
  const kept =
    input.failedKeys.length === 0
      ? 0
      : await tx.driftFinding.count({ where: { resolvedAt: null, bindingKey: { in: input.failedKeys } } });
  return { opened, closed, stillOpen, kept };
}
