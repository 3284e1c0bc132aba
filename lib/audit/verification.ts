import "server-only";
import { randomUUID } from "node:crypto";
import { authorize } from "@/lib/auth/authorize";
import type { SessionUser, ActionContext } from "@/lib/context";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { loadVerifyKey } from "./checkpoint-keys";
import { recordAuditEvent } from "./record-audit-event";
import { verifyAuditChain } from "./verify-chain";
import type { VerificationView } from "@/lib/schemas/audit-verification";

export type { VerificationView } from "@/lib/schemas/audit-verification";

type Row = NonNullable<Awaited<ReturnType<typeof db.auditVerification.findFirst>>>;

const toView = (row: Row): VerificationView => ({
  ranAt: row.ranAt.toISOString(),
  ranBy: row.ranByUpn,
  events: Number(row.events),
  unchained: Number(row.unchained),
  isIntact: row.isIntact,
  broken: row.brokenSeq === null ? null : { seq: row.brokenSeq.toString(), reason: row.brokenReason ?? "" },
  lastSeq: row.lastSeq?.toString() ?? null,
  lastHash: row.lastHash,
  durationMs: row.durationMs,
});

/**
 * An auditor or admin checks every link of the audit chain now. The result is kept (the Audit page
 * shows the latest) and the check itself is an audit event, chained after the events it checked.
 */
export async function verifyAuditHistory(context: ActionContext): Promise<VerificationView> {
  authorize(context.viewer, "audit.read");
  return verifyAndRecord({
    actor: { id: context.viewer.id, userPrincipalName: context.viewer.userPrincipalName },
    correlationId: context.origin.correlationId,
    channel: context.origin.channel,
    now: context.now,
  });
}

/**
 * The daily check the worker runs by itself (the `verify-audit` schedule), so that a change made
 * behind the app's back is found without anyone asking, and the metric of the last verification
 * stays fresh for alerts. Recorded like an auditor's, with no actor.
 */
export async function verifyAuditHistoryOnSchedule(now: Date): Promise<VerificationView> {
  return verifyAndRecord({ actor: null, correlationId: `verify-audit-${randomUUID()}`, channel: "schedule", now });
}

async function verifyAndRecord(run: {
  actor: { id: string; userPrincipalName: string } | null;
  correlationId: string;
  channel: "web" | "api" | "schedule" | undefined;
  now: Date;
}): Promise<VerificationView> {
  const checkpointKey = loadVerifyKey({
    verifyKeyFile: env.AUDIT_VERIFY_KEY_FILE,
    signingKeyFile: env.AUDIT_SIGNING_KEY_FILE,
  });
  // One snapshot for the whole walk: a retention committing meanwhile must not look like a gap.
  const report = await db.$transaction(
    (tx) => verifyAuditChain((text, values) => tx.$queryRawUnsafe(text, ...values), { checkpointKey }),
    { isolationLevel: "RepeatableRead", maxWait: 10_000, timeout: 30 * 60_000 },
  );
  const row = await db.$transaction(async (tx) => {
    const saved = await tx.auditVerification.create({
      data: {
        ranAt: run.now,
        ranByUpn: run.actor?.userPrincipalName ?? null,
        events: report.events,
        unchained: report.unchained,
        isIntact: report.isIntact,
        brokenSeq: report.broken ? BigInt(report.broken.seq) : null,
        brokenReason: report.broken?.reason ?? null,
        lastSeq: report.lastSeq === null ? null : BigInt(report.lastSeq),
        lastHash: report.lastHash,
        durationMs: report.durationMs,
      },
    });
    await recordAuditEvent(tx, {
      type: "audit.verified",
      actor: run.actor,
      subjectId: saved.id,
      correlationId: run.correlationId,
      occurredAt: run.now,
      data: {
        events: report.events,
        isIntact: report.isIntact,
        brokenSeq: report.broken?.seq ?? null,
        lastSeq: report.lastSeq,
        lastHash: report.lastHash,
        channel: run.channel,
      },
    });
    return saved;
  });
  return toView(row);
}

/** The latest verification run from the app, if any. */
export async function latestVerification(viewer: SessionUser): Promise<VerificationView | null> {
  authorize(viewer, "audit.read");
  const row = await db.auditVerification.findFirst({ orderBy: { ranAt: "desc" } });
  return row ? toView(row) : null;
}
