import "server-only";
import { createHash, randomUUID, type KeyObject } from "node:crypto";
import { z } from "zod";
import type { Prisma } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { GENESIS_HASH } from "./chain";
import { forgetRollupsBefore } from "./insights-rollups";
import { keyIdOf, signCheckpoint, type CheckpointFields } from "./checkpoint";
import { lockAuditChain, recordAuditEvent } from "./record-audit-event";

/**
 * Audit retention (docs/decisions/006-audit-retention.md): removes the oldest whole months of audit
 * history, and only together with a signed checkpoint of the last removed event, so that the chain
 * stays verifiable from there. An operator's command (`npm run audit:retain`), not a user action:
 * it takes the database client it should use, and runs without the web app's configuration.
 */

const MONTHS = { message: "must be a whole number of months, 1 to 1200" };

/** What to keep: the current month and N whole months before it ... */
export const ZMonthsCutOff = z.object({
  olderThanMonths: z.coerce.number(MONTHS).int(MONTHS).min(1, MONTHS).max(1200, MONTHS),
});
/** ... or everything from a month's first day. */
export const ZBeforeCutOff = z.object({
  before: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-01$/, { message: "must be a month's first day, YYYY-MM-01" }),
});
export const ZCutOff = z.union([ZMonthsCutOff, ZBeforeCutOff]);
export type CutOff = z.infer<typeof ZCutOff>;

/** Who runs it, recorded as the audit event's actor: a UPN, or the OS user as user@host. */
export const ZOperator = z
  .string()
  .trim()
  .max(256)
  .regex(/^[^\s@]+@[^\s@]+$/, { message: "must look like a UPN, e.g. ops@contoso.com" });

/**
 * The first instant that is kept (a month's first day, UTC). Only whole past months go: a cut-off
 * later than the start of the current month is refused.
 */
export function retentionCutOff(cutOff: CutOff, now: Date): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const boundary =
    "olderThanMonths" in cutOff
      ? new Date(Date.UTC(year, month - cutOff.olderThanMonths, 1))
      : new Date(`${cutOff.before}T00:00:00.000Z`);
  if (boundary.getTime() > Date.UTC(year, month, 1)) {
    throw refusal(
      `the cut-off ${day(boundary)} is later than the start of the current month: retention removes only whole past months`,
      "INVALID_INPUT",
    );
  }
  return boundary;
}

export interface RetentionPlan {
  cutOff: Date;
  fromSeq: string;
  /** the last event to remove: every event up to it in seq order occurred before the cut-off */
  throughSeq: string;
  throughHash: string;
  throughOccurredAt: Date;
  removedEvents: number;
  /** the UTC months the removed events fall in, oldest first */
  months: Array<{ month: string; events: number }>;
  /** events before the cut-off recorded after a newer one: kept, for a later run */
  keptBeforeCutOff: number;
  previousCheckpoint: { id: string; throughSeq: string } | null;
}

interface SegmentEnd {
  seq: string;
  /** null for an event recorded before the chain began */
  hash: string | null;
  occurredAt: Date;
}

/** Refuses when nothing is old enough; else says what would go. */
export function planFrom(
  cutOff: Date,
  facts: {
    oldest: { seq: string; occurredAt: Date } | null;
    end: SegmentEnd | null;
    months: Array<{ month: string; events: number }>;
    keptBeforeCutOff: number;
    previousCheckpoint: RetentionPlan["previousCheckpoint"];
  },
): RetentionPlan {
  const { oldest, end } = facts;
  if (!oldest) throw refusal("the audit history is empty: nothing is old enough to remove");
  if (!end) {
    throw refusal(
      `nothing is old enough: the oldest event (seq ${oldest.seq}, ${oldest.occurredAt.toISOString()}) is not before the cut-off ${day(cutOff)}`,
    );
  }
  return {
    cutOff,
    fromSeq: oldest.seq,
    throughSeq: end.seq,
    // An event from before the chain began links to nothing: the chain after it starts at genesis.
    throughHash: end.hash ?? GENESIS_HASH,
    throughOccurredAt: end.occurredAt,
    removedEvents: facts.months.reduce((sum, month) => sum + month.events, 0),
    months: facts.months,
    keptBeforeCutOff: facts.keptBeforeCutOff,
    previousCheckpoint: facts.previousCheckpoint,
  };
}

/**
 * What retention would remove for this cut-off. The segment is chosen by seq, not by time: it ends
 * at the last event before the first one (in seq order) that is not older than the cut-off, so that
 * every removed event is older than the cut-off, and the remaining chain has no gaps, even where a
 * writer's clock and the order of commits disagree by a little.
 */
export async function planAuditRetention(tx: Prisma.TransactionClient, cutOff: Date): Promise<RetentionPlan> {
  // Times go in as ISO text: the driver sends a Date without its zone, read in the session's time zone.
  const [oldest] = await tx.$queryRaw<Array<{ seq: string; occurredAt: Date }>>`
    SELECT seq::text AS seq, occurred_at AS "occurredAt" FROM audit_events ORDER BY seq LIMIT 1`;
  const [end] = await tx.$queryRaw<SegmentEnd[]>`
    SELECT e.seq::text AS seq, e.hash, e.occurred_at AS "occurredAt" FROM audit_events e
     WHERE e.seq < coalesce((SELECT min(k.seq) FROM audit_events k WHERE k.occurred_at >= ${cutOff.toISOString()}::timestamptz),
                            9223372036854775807)
     ORDER BY e.seq DESC LIMIT 1`;
  const through = BigInt(end?.seq ?? "0");
  const months = await tx.$queryRaw<Array<{ month: string; events: number }>>`
    SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::int AS events
      FROM audit_events WHERE seq <= ${through} GROUP BY 1 ORDER BY 1`;
  const [kept] = await tx.$queryRaw<Array<{ events: number }>>`
    SELECT count(*)::int AS events FROM audit_events WHERE seq > ${through} AND occurred_at < ${cutOff.toISOString()}::timestamptz`;
  const [previous] = await tx.$queryRaw<Array<{ id: string; throughSeq: string }>>`
    SELECT id::text AS id, through_seq::text AS "throughSeq" FROM audit_checkpoints ORDER BY through_seq DESC LIMIT 1`;
  return planFrom(cutOff, {
    oldest: oldest ?? null,
    end: end ?? null,
    months,
    keptBeforeCutOff: kept?.events ?? 0,
    previousCheckpoint: previous ?? null,
  });
}

export interface RetainCommand {
  cutOff: Date;
  operator: string;
  signingKey: KeyObject | null;
  now: Date;
}

export interface RetainedHistory {
  checkpoint: CheckpointFields & { signature: string };
  plan: RetentionPlan;
}

/**
 * Removes the segment in one transaction, on the audit chain's lock (no event is appended
 * meanwhile): the signed checkpoint, the `audit.retained` event, then the DELETE, which the
 * database allows only up to a checkpoint inserted by the same transaction.
 */
export async function retainAuditHistory(db: PrismaClient, command: RetainCommand): Promise<RetainedHistory> {
  const operator = ZOperator.safeParse(command.operator);
  if (!operator.success) throw refusal(`the operator ${operator.error.issues[0]?.message}`, "INVALID_INPUT");
  const signingKey = command.signingKey;
  if (!signingKey) {
    throw refusal(
      "no audit signing key is configured: set AUDIT_SIGNING_KEY_FILE to an Ed25519 private key (PEM)",
      "INVALID_INPUT",
    );
  }
  return db.$transaction(
    async (tx) => {
      await lockAuditChain(tx);
      const plan = await planAuditRetention(tx, command.cutOff);
      const fields: CheckpointFields = {
        id: randomUUID(),
        createdAt: command.now,
        throughSeq: plan.throughSeq,
        throughHash: plan.throughHash,
        throughOccurredAt: plan.throughOccurredAt,
        removedEvents: plan.removedEvents,
        olderThan: plan.cutOff,
        keyId: keyIdOf(signingKey),
        previousId: plan.previousCheckpoint?.id ?? null,
      };
      const checkpoint = { ...fields, signature: signCheckpoint(fields, signingKey) };
      await tx.auditCheckpoint.create({
        data: { ...checkpoint, throughSeq: BigInt(plan.throughSeq), removedEvents: BigInt(plan.removedEvents) },
      });
      await recordRetained(tx, checkpoint, plan, operator.data, command.now);
      const removed = await tx.$executeRaw`DELETE FROM audit_events WHERE seq <= ${BigInt(plan.throughSeq)}`;
      await forgetRollupsBefore(tx, plan.cutOff);
      // Cannot differ under the chain's lock; if it ever did, nothing is removed.
      if (removed !== plan.removedEvents) {
        throw new Error(`retention planned ${plan.removedEvents} events but removed ${removed}; rolled back`);
      }
      return { checkpoint, plan };
    },
    // Removing years of history is one long statement; the chain's writers wait for it meanwhile.
    { maxWait: 30_000, timeout: 30 * 60_000 },
  );
}

/**
 * Appended before the DELETE (the transaction makes the order invisible): when every event goes,
 * the writer still finds the last one and links the new event to the checkpoint's hash, where the
 * verifier expects the remaining chain to start.
 */
async function recordRetained(
  tx: Prisma.TransactionClient,
  checkpoint: RetainedHistory["checkpoint"],
  plan: RetentionPlan,
  operator: string,
  now: Date,
) {
  await recordAuditEvent(tx, {
    type: "audit.retained",
    actor: await operatorActor(tx, operator),
    subjectId: checkpoint.id,
    correlationId: randomUUID(),
    occurredAt: now,
    data: {
      checkpointId: checkpoint.id,
      throughSeq: plan.throughSeq,
      throughHash: plan.throughHash,
      removedEvents: plan.removedEvents,
      olderThan: plan.cutOff.toISOString(),
      keyId: checkpoint.keyId,
    },
  });
}

/**
 * The operator as an actor: their user when they have signed in to the app, else a stable id
 * derived from the name (actor_id has no foreign key), so that one operator's runs group together.
 */
async function operatorActor(tx: Prisma.TransactionClient, operator: string) {
  const user = await tx.user.findFirst({
    where: { userPrincipalName: { equals: operator, mode: "insensitive" } },
    select: { id: true, userPrincipalName: true },
  });
  return user ?? { id: operatorId(operator), userPrincipalName: operator };
}

/** A UUID (version 8, name-based) for an operator who is not a user of the app. */
export function operatorId(operator: string): string {
  const hex = createHash("sha256").update(`aks-jit operator\n${operator.toLowerCase()}`).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

function refusal(reason: string, code: "CONFLICT" | "INVALID_INPUT" = "CONFLICT") {
  const message = `Audit retention refused: ${reason}. Nothing was removed.`;
  return new AppError(code, { message, userMessage: message });
}
