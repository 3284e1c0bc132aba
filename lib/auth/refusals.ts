import "server-only";
import type { ActionContext } from "@/lib/context";
import type { RefusalKind } from "@/lib/audit/events";
import { lockAuditChain, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { db, type Prisma } from "@/lib/db/client";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { authorize } from "./authorize";
import type { Permission } from "./permissions";

/**
 * Refused privileged attempts are audited (`access.refused`): an auditor sees who tried to revoke,
 * retry, export, open an admin page or decide a request outside their groups. At most one event
 * per person, kind and permission per window, counted in the audit history itself so that it holds
 * across replicas: a script hammering a refused route cannot flood the hash chain. Every refusal is
 * logged either way.
 */
export const REFUSAL_AUDIT_WINDOW_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Refusal {
  kind: RefusalKind;
  permission: Permission;
  reason: string;
  /** the request, job or finding it was about (kept only if it is an id, not whatever a client sent) */
  subjectId?: string;
  /** the page it was about */
  path?: string;
}

type Attempt = Pick<ActionContext, "viewer" | "origin" | "now">;

/** `authorize`, and when it refuses for lack of a role, the refusal is audited before it is thrown. */
export async function authorizeAttempt(
  context: Attempt,
  permission: Permission,
  kind: RefusalKind,
  subjectId?: string,
) {
  try {
    authorize(context.viewer, permission);
  } catch (error) {
    // Not a refusal when Graph could not confirm the roles (UPSTREAM): the person may hold them.
    if (isAppError(error) && error.code === "FORBIDDEN") {
      await recordRefusal(context, { kind, permission, reason: error.message, subjectId });
    }
    throw error;
  }
}

/** Audits one refused attempt, unless one of its kind by this person is in the window; never throws. */
export async function recordRefusal(context: Attempt, refusal: Refusal): Promise<void> {
  const { viewer, origin, now } = context;
  log.info({ upn: viewer.userPrincipalName, ...refusal }, "privileged attempt refused");
  const recent = (client: Prisma.TransactionClient | typeof db) =>
    client.auditEvent.findFirst({
      where: {
        type: "access.refused",
        actorId: viewer.id,
        occurredAt: { gt: new Date(now.getTime() - REFUSAL_AUDIT_WINDOW_MS), lte: now },
        AND: [
          { data: { path: ["kind"], equals: refusal.kind } },
          { data: { path: ["permission"], equals: refusal.permission } },
        ],
      },
      select: { seq: true },
    });
  try {
    // A flood mostly stops at this read, without waiting for the audit chain's lock.
    if (await recent(db)) return;
    await db.$transaction(async (tx) => {
      // Writers take turns on the chain: checked again under its lock, two replicas record one event.
      await lockAuditChain(tx);
      if (await recent(tx)) return;
      await recordAuditEvent(tx, {
        type: "access.refused",
        actor: { id: viewer.id, userPrincipalName: viewer.userPrincipalName },
        // Server actions are public endpoints: the id may be anything a client sent.
        subjectId:
          typeof refusal.subjectId === "string" && UUID.test(refusal.subjectId)
            ? refusal.subjectId.toLowerCase()
            : undefined,
        correlationId: origin.correlationId,
        occurredAt: now,
        data: {
          kind: refusal.kind,
          permission: refusal.permission,
          reason: refusal.reason.slice(0, 500),
          ...(refusal.path ? { path: refusal.path.slice(0, 300) } : {}),
          channel: origin.channel,
          ip: origin.ip,
          userAgent: origin.userAgent,
        },
      });
    });
  } catch (error) {
    // The refusal stands whether or not it could be written down.
    log.error({ err: error instanceof Error ? error.message : String(error), ...refusal }, "refusal not audited");
  }
}
