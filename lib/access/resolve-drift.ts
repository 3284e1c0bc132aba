import "server-only";
import { z } from "zod";
import { randomUUID } from "node:crypto";
import { authorizeAttempt } from "@/lib/auth/refusals";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { deleteRoleAssignmentById } from "@/lib/cloud/standing-role-assignment";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { countDriftResolution } from "@/lib/metrics/record";
import type { ActionContext } from "@/lib/context";
import { callProvider, auditedCall } from "./provider-call";
import { readGrantTarget } from "./stored-json";
import { parseInput } from "@/lib/validation/parse-input";

const ZResolveDriftInput = z.object({
  findingId: z.uuid("There is no such drift finding."),
  action: z.enum(["remove", "reapply"], "Choose remove or re-apply."),
});

function findingNotOpen(findingId: string) {
  return new AppError("CONFLICT", {
    message: `drift finding ${findingId} is not open`,
    userMessage: "This finding was already resolved, or a later check no longer sees it. Reload the page.",
  });
}

async function openFinding(findingId: string) {
  const finding = await db.driftFinding.findUnique({ where: { id: findingId } });
  if (!finding || finding.resolvedAt) throw findingNotOpen(findingId);
  return finding;
}

/**
 * An admin resolves a drift finding: "unexplained" access is removed at the service, a "missing"
 * grant is applied again until its recorded end. The service call comes first; the finding closes,
 * with its audit event, only once it succeeded, so a failure leaves the finding open to try again.
 */
export async function resolveDrift(findingId: string, resolution: string, context: ActionContext) {
  await authorizeAttempt(context, "access.administer", "drift.resolve", findingId);
  // Server actions are public endpoints: the id and the resolution come from the client.
  const { action } = parseInput(ZResolveDriftInput, { findingId, action: resolution });
  const finding = await openFinding(findingId);
  const target = readGrantTarget(finding.target, finding.id, "drift_findings");
  const correlationId = context.origin.correlationId ?? `drift-${randomUUID()}`;
  if (action === "remove") {
    if (finding.kind !== "unexplained") throw wrongAction("remove", finding.kind);
    if (target.grant.kind === "armRoleAssignment" && finding.providerId) {
      const assignmentId = finding.providerId;
      await auditedCall({ requestId: null, correlationId, grantKind: target.grant.kind, operation: "remove" }, () =>
        deleteRoleAssignmentById(assignmentId),
      );
    } else {
      await callProvider(
        "remove",
        target,
        { requestId: finding.id, justification: `Drift removed by ${context.viewer.userPrincipalName}` },
        { requestId: null, correlationId },
      );
    }
  } else {
    if (finding.kind !== "missing" || !finding.grantId) throw wrongAction("reapply", finding.kind);
    const grant = await db.grant.findUnique({ where: { id: finding.grantId } });
    if (!grant || grant.status !== "active" || grant.endAt <= context.now) throw findingNotOpen(findingId);
    await callProvider(
      "apply",
      target,
      {
        startAt: context.now,
        endAt: grant.endAt,
        justification: `Re-applied after drift by ${context.viewer.userPrincipalName}`,
        requestId: finding.id,
      },
      { requestId: null, correlationId },
    );
  }
  await db.$transaction(async (tx) => {
    await lockAuditChain(tx); // the lock order the reconciler uses: audit chain, then findings
    const closed = await tx.driftFinding.updateMany({
      where: { id: findingId, resolvedAt: null },
      data: {
        resolvedAt: context.now,
        resolution: action === "remove" ? "removed" : "reapplied",
        resolvedById: context.viewer.id,
      },
    });
    if (closed.count === 0) throw findingNotOpen(findingId);
    await recordAuditEvent(tx, {
      type: action === "remove" ? "drift.removed" : "drift.reapplied",
      actor: { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName },
      subjectId: findingId,
      correlationId,
      occurredAt: context.now,
      data: {
        findingId,
        kind: finding.kind,
        bindingKey: finding.bindingKey,
        principalId: finding.principalId,
        grantId: finding.grantId,
        providerId: finding.providerId,
        channel: context.origin.channel,
        ip: context.origin.ip,
        userAgent: context.origin.userAgent,
      },
    });
  });
  countDriftResolution(finding.kind, action);
}

function wrongAction(action: string, kind: string) {
  return new AppError("CONFLICT", {
    message: `cannot ${action} a ${kind} finding`,
    userMessage:
      kind === "unexplained"
        ? "Unexplained access can be removed, not re-applied."
        : "A missing grant can be re-applied, not removed.",
  });
}
