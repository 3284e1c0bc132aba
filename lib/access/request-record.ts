import "server-only";
import { randomUUID } from "node:crypto";
import { activityReadAt } from "@/lib/activity/read-at";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { Prisma } from "@/lib/db/client";
import type { RolePolicy } from "@/lib/domain/policy-types";
import {
  isActive,
  isHandedToActivation,
  isTerminal,
  type Decision,
  type RefusalCode,
  type RequestEvent,
  type RequestState,
} from "@/lib/domain/request-state";
import { AppError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs/outbox";
import { QUEUES, type ActivateJob, type SummariseActivityJob } from "@/lib/jobs/queues";
import { countRequestEvent } from "@/lib/metrics/record";
import type { ActionContext } from "@/lib/context";
import { readRequestState } from "./stored-json";

export { readGrantTarget, readPolicySnapshot } from "./stored-json";

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
  const approverIds = row.decisions.map((d) => d.deciderId);
  const state = readRequestState(row, approverIds);
  return {
    id: row.id,
    requesterId: row.requesterId,
    clusterName: row.clusterName,
    roleName: row.roleName,
    policy: state.policy,
    state,
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

/** Refusals that a different input would avoid, and the form field to fix. */
const INPUT_REFUSALS: Partial<Record<RefusalCode, string>> = {
  COMMENT_REQUIRED: "comment",
  EXTENSION_REFUSED: "duration",
};

/** A refusal from the domain as the error the user sees: 403 for who, 409 for when, 400 for what. */
export function refusalError(decision: Extract<Decision, { isAccepted: false }>) {
  const field = INPUT_REFUSALS[decision.code];
  const code = field
    ? "INVALID_INPUT"
    : decision.code === "SELF_APPROVAL" || decision.code === "NOT_REQUESTER"
      ? "FORBIDDEN"
      : "CONFLICT";
  return new AppError(code, {
    message: `refused: ${decision.code}`,
    userMessage: decision.message,
    fields: field ? [{ field, message: decision.message }] : [],
  });
}

/**
 * A refusal of the holder's own commands (cancel, end early, extend): someone else's request is not
 * theirs to see, let alone change, so it is a 404 rather than a 403.
 */
export function holderRefusalError(requestId: string, decision: Extract<Decision, { isAccepted: false }>) {
  return decision.code === "NOT_REQUESTER" ? notFound(requestId) : refusalError(decision);
}

/** Persists the access period the domain decided (ended early, revoked, extended, cleared for a retry), if it moved. */
export async function saveAccessPeriod(tx: Prisma.TransactionClient, request: LockedRequest, next: RequestState) {
  const { activeFrom, activeUntil } = next;
  if (activeFrom === request.state.activeFrom && activeUntil === request.state.activeUntil) return;
  await tx.accessRequest.update({ where: { id: request.id }, data: { activeFrom, activeUntil } });
}

/** Writes one event: the request's new status (if it changed) and its audit row, in `tx`. */
export async function recordRequestEvent(
  tx: Prisma.TransactionClient,
  request: Pick<LockedRequest, "id" | "clusterName" | "roleName">,
  event: RequestEvent,
  context: Pick<ActionContext, "origin" | "now"> & { viewer: ActionContext["viewer"] | null },
  extra: Record<string, unknown> = {},
  /** the request's row and hand-off already carry this event (a filing writes them first: handOffIfApproved) */
  options: { isStored?: boolean } = {},
) {
  if (!options.isStored && event.from !== null && event.from !== event.to) {
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
  if (!options.isStored) {
    await handOffIfApproved(tx, request.id, event);
    await queueActivitySummary(tx, request.id, event);
  }
  countRequestEvent(request, event);
}

/**
 * Access that was active has ended (expired, ended early, revoked): its activity is read from the
 * audit logs once the tokens issued before the end have run out (TOKEN_LIFETIME_MINUTES) and Log
 * Analytics has ingested their calls (ACTIVITY_DELAY_MINUTES), by a job queued with the end, keyed by
 * the request. The access period is saved before the event is recorded, so its end is the row's.
 */
async function queueActivitySummary(tx: Prisma.TransactionClient, requestId: string, event: RequestEvent) {
  if (event.from === null || !isActive(event.from) || !isTerminal(event.to)) return;
  const { activeUntil } = await tx.accessRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { activeUntil: true },
  });
  if (!activeUntil) return;
  const job: SummariseActivityJob = { requestId };
  await enqueue(tx, QUEUES.summariseActivity, job, {
    startAfter: activityReadAt(activeUntil),
    singletonKey: requestId,
  });
}

/** Queues the activation an event hands over (an approval, an admin's retry), in `tx`; other events queue nothing. */
export async function handOffIfApproved(tx: Prisma.TransactionClient, requestId: string, event: RequestEvent) {
  if (!isHandedToActivation(event)) return;
  await handOffForActivation(tx, requestId, event.type === "request.activation_retried" ? "retry" : "first");
}

/**
 * Queues the activation of an approved request in the same transaction as the approval. The first
 * job's id is the request id, so a second hand-off of the same approval is a no-op at the database;
 * an admin's retry after a failure is a new attempt with its own id.
 */
async function handOffForActivation(tx: Prisma.TransactionClient, requestId: string, attempt: "first" | "retry") {
  const job: ActivateJob = { requestId };
  await enqueue(tx, QUEUES.activate, job, { id: attempt === "first" ? requestId : randomUUID() });
}
