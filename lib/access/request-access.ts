import "server-only";
import { verifyStepUp } from "@/lib/auth/step-up";
import { getCatalog } from "@/lib/config/catalog";
import { findRole } from "@/lib/config/catalog-schema";
import { db } from "@/lib/db/client";
import { parseIsoDuration } from "@/lib/domain/duration";
import { checkRequest, isTicketOwed, normalizeDraft } from "@/lib/domain/policy";
import { openRequest } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import { getBoss } from "@/lib/jobs/boss";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { notifyRequestFiled } from "@/lib/notify/request-events";
import type { ActionContext } from "@/lib/context";
import { assertOpenRequestQuota } from "./open-requests";
import { viewOfFiledRequest } from "./request-queries";
import { handOffIfApproved, recordRequestEvent } from "./request-record";
import { ZRequestAccessInput, type TRequestAccessInput } from "./schemas";
import { fieldProblems } from "@/lib/validation/parse-input";

const invalid = (message: string, fields: Array<{ field: string; message: string }>) =>
  new AppError("INVALID_INPUT", { message, userMessage: fields.map((f) => f.message).join(" "), fields });

/**
 * Files a request for a role on a cluster. Refused requests store nothing. Without a required
 * approval (self-activation) or as break-glass, the policy approves it at once and the activation
 * is queued in the same transaction.
 */
export async function requestAccess(input: TRequestAccessInput, context: ActionContext) {
  const parsed = ZRequestAccessInput.safeParse(input);
  if (!parsed.success) throw invalid("request input failed validation", fieldProblems(parsed.error));
  const { cluster: clusterName, role: roleName, breakGlass: isBreakGlass } = parsed.data;

  const catalog = getCatalog();
  const found = findRole(catalog, clusterName, roleName);
  if (!found) {
    const cluster = catalog.clusters.find((c) => c.name === clusterName);
    throw invalid(`unknown ${cluster ? "role" : "cluster"}`, [
      cluster
        ? {
            field: "role",
            message: `There is no role "${roleName}" on ${clusterName}. Choose one of: ${cluster.roles.map((r) => r.name).join(", ")}.`,
          }
        : {
            field: "cluster",
            message: `There is no cluster "${clusterName}". Choose one of: ${catalog.clusters.map((c) => c.name).join(", ")}.`,
          },
    ]);
  }
  const { policy } = found.role;
  const durationMinutes = parseIsoDuration(parsed.data.duration);
  if (durationMinutes === undefined) {
    throw invalid("bad duration", [
      {
        field: "duration",
        message: `"${parsed.data.duration}" is not a duration: use ISO 8601 such as PT1H or PT30M.`,
      },
    ]);
  }
  const startAt = parsed.data.startAt ? new Date(parsed.data.startAt) : null;
  // Stored as checked: `inc12345` is filed as INC12345, from the form and the API alike.
  const draft = normalizeDraft(
    { durationMinutes, justification: parsed.data.justification, ticket: parsed.data.ticket, startAt, isBreakGlass },
    policy,
  );
  const { justification, ticket } = draft;
  const violations = checkRequest({ draft, policy, requesterGroupIds: context.viewer.groupIds, now: context.now });
  if (violations.some((v) => v.field === "eligibility")) {
    throw new AppError("FORBIDDEN", {
      message: "not eligible",
      userMessage: violations.find((v) => v.field === "eligibility")!.message,
    });
  }
  if (violations.length > 0) throw invalid("request refused by policy", violations);
  // Counted before anything else is read or written: a flood of requests stores nothing.
  await enforceRateLimit("request.file", context.viewer.id, context.now);
  // Break-glass skips the approvers, so a role that asks them for a fresh sign-in asks it here instead.
  const stepUp =
    isBreakGlass && policy.stepUp
      ? await verifyStepUp(parsed.data.stepUpToken, context.viewer, policy.stepUp, context.now, "use break-glass")
      : undefined;

  await getBoss(); // started before the transaction, which queues the notification (and an activation)
  const opened = openRequest({
    requesterId: context.viewer.id,
    policy,
    startAt,
    isBreakGlass,
    now: context.now,
  });
  const created = await db.$transaction(async (tx) => {
    await assertOpenRequestQuota(tx, {
      requesterId: context.viewer.id,
      clusterName,
      roleName,
      startAt,
      durationMinutes,
      justification,
      ticket: ticket ?? null,
      isBreakGlass,
      now: context.now,
    });
    // Stored in the status its events end in (pending, or approved by policy), so that every write
    // but the audit rows comes first: the audit chain's turn, which every writer waits for and which
    // lasts until commit, covers only the audit rows (lib/audit/record-audit-event.ts).
    const row = await tx.accessRequest.create({
      data: {
        requesterId: context.viewer.id,
        clusterName,
        roleName,
        status: opened.state.status,
        durationMinutes,
        justification,
        ticket,
        startAt,
        isBreakGlass,
        approvalsRequired: policy.approvalsRequired,
        pendingExpiresAt: opened.state.pendingExpiresAt,
        policy: JSON.parse(JSON.stringify(policy)),
        approverGroupIds: policy.approverGroupIds,
        createdAt: context.now,
        updatedAt: context.now,
      },
    });
    const request = { id: row.id, clusterName, roleName };
    // The approvers (or, for break-glass, every approver and auditor) hear of it; an approval by
    // policy queues the activation.
    await notifyRequestFiled(tx, row);
    for (const event of opened.events) await handOffIfApproved(tx, request.id, event);
    for (const [index, event] of opened.events.entries()) {
      await recordRequestEvent(
        tx,
        request,
        event,
        context,
        index === 0
          ? {
              policy,
              durationMinutes,
              ticket: ticket ?? null,
              // Break-glass filed without its ticket: the review afterwards asks for it.
              ...(isTicketOwed(policy, { isBreakGlass, ticket }) ? { isTicketOwed: true } : {}),
              ...(stepUp ? { stepUp } : {}),
            }
          : {},
        { isStored: true },
      );
    }
    return row;
  });
  // What was just written is what the requester sees: no second read.
  return viewOfFiledRequest(created, context.viewer);
}
