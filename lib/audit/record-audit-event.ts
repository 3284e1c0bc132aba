import "server-only";
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/lib/db/client";
import { timeChainLock } from "@/lib/metrics/record";
import { chainedText } from "./chain";
import type { AuditEventInput } from "./events";

/** The advisory lock that makes audit writers append one after the other (any constant, used only here). */
const CHAIN_LOCK = 0x4a49_5441; // "JITA"

/**
 * Appends one event to the audit history, chained to the event before it. Takes the transaction of
 * the change it records, so that the change and its audit row commit together or not at all.
 *
 * Writers take turns on an advisory lock held until their transaction ends, so that each links to
 * the last committed event and the chain has no forks (a unique index on prev_hash enforces it).
 * Lock order, everywhere: the request's (or a cluster_postures) row, then this lock, then grant rows. A transaction that
 * locked a grant and then waited here could deadlock with one holding this lock and waiting for
 * that grant.
 */
export async function recordAuditEvent(tx: Prisma.TransactionClient, event: AuditEventInput) {
  const content = {
    id: randomUUID(),
    occurredAt: event.occurredAt,
    type: event.type,
    actorId: event.actor?.id ?? null,
    actorUpn: event.actor?.userPrincipalName ?? null,
    subjectId: event.subjectId ?? null,
    requestId: event.requestId ?? null,
    correlationId: event.correlationId ?? null,
    // What jsonb will hold and give back: JSON's own reading of the data (dates as text, no undefined).
    data: JSON.parse(JSON.stringify(event.data)) as Prisma.InputJsonValue,
  };
  // Everything but the link is computed before the chain's turn is taken: the turn lasts until
  // commit and every writer waits for it. audit_append (migration 20261205173000_audit_append) takes
  // the lock, reads the head and inserts the event linked to it, in one round trip: nothing of this
  // process runs between the lock and the insert. Its hash, sha256(prev_hash || "\n" || covered),
  // is chainHash() in chain.ts (audit-chain.test.ts verifies rows written here with it).
  const covered = chainedText(content);
  await timeChainLock(
    tx,
    () => tx.$executeRaw`
      SELECT audit_append(${CHAIN_LOCK}::bigint, ${content.id}::uuid, ${content.occurredAt}::timestamptz,
        ${content.type}, ${content.actorId}::uuid, ${content.actorUpn}, ${content.subjectId},
        ${content.requestId}::uuid, ${content.correlationId}, ${JSON.stringify(content.data)}::jsonb, ${covered})`,
  );
}

/**
 * Takes this transaction's turn at the audit chain now (held until it ends; taking it again is free).
 * For transactions that lock other rows before recording, to keep the lock order.
 */
export async function lockAuditChain(tx: Prisma.TransactionClient) {
  await timeChainLock(tx, () => tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
}
