import "server-only";
import { randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Prisma } from "@/lib/db/client";
import type { RolePolicy } from "@/lib/domain/policy-types";
import type { Decision, RequestEvent, RequestState, RequestStatus } from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import { inTransaction, getBoss } from "@/lib/jobs/boss";
import { QUEUES, type ActivateJob, type QueueName } from "@/lib/jobs/queues";
import { countRequestEvent } from "@/lib/metrics/record";
import type { ActionContext } from "./context";

/** What the use cases need of a stored request: the domain state plus what the audit repeats. */
export interface LockedRequest {
  id: string;
  requesterId: string;
  clusterName: string;
  roleName: string;
  policy: RolePolicy;
  state: RequestState;
}

/**
 * Reads a request and locks its row until the transaction ends, so that concurrent decisions on
 * one request run one after the other, each seeing the previous one's result.
 */
export async function lockRequest(tx: Prisma.TransactionClient, requestId: string): Promise<LockedRequest> {
  assertRequestId(requestId);
  const rows = await tx.$queryRaw<
    Array<{ id: string }>
  >`SELECT id FROM access_requests WHERE id = ${requestId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw notFound(requestId);
  const row = await tx.accessRequest.findUniqueOrThrow({
    where: { id: requestId },
    include: {
      decisions: { where: { outcome: "approve" }, orderBy: { decidedAt: "asc" }, select: { deciderId: true } },
    },
  });
  return {
    id: row.id,
    requesterId: row.requesterId,
    clusterName: row.clusterName,
    roleName: row.roleName,
    policy: row.policy as unknown as RolePolicy,
    state: {
      status: row.status as RequestStatus,
      requesterId: row.requesterId,
      approvalsRequired: row.approvalsRequired,
      approverIds: row.decisions.map((d) => d.deciderId),
      startAt: row.startAt,
      pendingExpiresAt: row.pendingExpiresAt,
      isBreakGlass: row.isBreakGlass,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request ids are UUIDs: anything else cannot exist, and must not reach the database's uuid cast (a 500). */
export function assertRequestId(requestId: string) {
  if (!UUID.test(requestId)) throw notFound(requestId);
}

export function notFound(requestId: string) {
  return new AppError("NOT_FOUND", {
    message: `request ${requestId} not found or not visible`,
    userMessage: "There is no such request, or you may not see it.",
  });
}

/** A refusal from the domain as the error the user sees: 403 for who, 409 for when, 400 for what. */
export function refusalError(decision: Extract<Decision, { isAccepted: false }>) {
  const code =
    decision.code === "SELF_APPROVAL" || decision.code === "NOT_REQUESTER"
      ? "FORBIDDEN"
      : decision.code === "COMMENT_REQUIRED"
        ? "INVALID_INPUT"
        : "CONFLICT";
  return new AppError(code, {
    message: `refused: ${decision.code}`,
    userMessage: decision.message,
    fields: decision.code === "COMMENT_REQUIRED" ? [{ field: "comment", message: decision.message }] : [],
  });
}

/** Writes one event: the request's new status (if it changed) and its audit row, in `tx`. */
export async function recordRequestEvent(
  tx: Prisma.TransactionClient,
  request: Pick<LockedRequest, "id" | "clusterName" | "roleName">,
  event: RequestEvent,
  context: Pick<ActionContext, "origin" | "now"> & { viewer: ActionContext["viewer"] | null },
  extra: Record<string, unknown> = {},
) {
  if (event.from !== null && event.from !== event.to) {
    await tx.accessRequest.update({ where: { id: request.id }, data: { status: event.to, updatedAt: context.now } });
  }
  const isUser = event.actor.kind === "user";
  await recordAuditEvent(tx, {
    type: event.type,
    actor:
      isUser && context.viewer ? { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName } : null,
    subjectId: request.id,
    requestId: request.id,
    correlationId: context.origin.correlationId,
    occurredAt: context.now,
    data: {
      from: event.from,
      to: event.to,
      actorKind: event.actor.kind,
      clusterName: request.clusterName,
      roleName: request.roleName,
      ...(isUser
        ? {
            channel: context.origin.channel,
            ip: context.origin.ip,
            userAgent: context.origin.userAgent,
            authentication: context.viewer?.authentication,
          }
        : {}),
      ...event.data,
      ...extra,
    },
  });
  if (event.to === "approved") {
    await handOffForActivation(tx, request.id, event.type === "request.activation_retried" ? "retry" : "first");
  }
  countRequestEvent(request, event);
}

/**
 * Queues the activation of an approved request in the same transaction as the approval. The first
 * job's id is the request id, so a second hand-off of the same approval is a no-op at the database;
 * an admin's retry after a failure is a new attempt with its own id.
 */
async function handOffForActivation(tx: Prisma.TransactionClient, requestId: string, attempt: "first" | "retry") {
  const boss = await getBoss();
  const job: ActivateJob = { requestId };
  await boss.send(QUEUES.activate, job, { id: attempt === "first" ? requestId : randomUUID(), db: inTransaction(tx) });
}

/** Queues a job in the caller's transaction: the state change and the work it hands off commit together. */
export async function sendInTransaction<T extends object>(
  tx: Prisma.TransactionClient,
  queue: QueueName,
  data: T,
  options: Omit<PgBoss.SendOptions, "db"> = {},
) {
  const boss = await getBoss();
  await boss.send(queue, data, { ...options, db: inTransaction(tx) });
}
