/* `npm run audit:retain -- --older-than-months N | --before YYYY-MM-01 (--dry-run | --yes) [--operator UPN]`:
 * removes the oldest whole months of audit history, leaving a signed checkpoint of the last removed
 * event so that `npm run audit:verify` still checks the rest (docs/decisions/006-audit-retention.md).
 * Shows what it would remove and changes nothing without --yes. N defaults to AUDIT_RETENTION_MONTHS;
 * the key is AUDIT_SIGNING_KEY_FILE. Uses DATABASE_URL, or the embedded PostgreSQL in .data/ (and the
 * demo key in .data/certs) when the demo is not running. Exit codes: 0 done or shown, 1 refused,
 * 2 usage. */
import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { keyIdOf, publicKeyPem } from "../lib/audit/checkpoint";
import { loadSigningKey } from "../lib/audit/checkpoint-keys";
import {
  planAuditRetention,
  retainAuditHistory,
  retentionCutOff,
  ZBeforeCutOff,
  ZMonthsCutOff,
  ZOperator,
  type RetentionPlan,
} from "../lib/audit/retention";
import { parseAuditEnv } from "../lib/config/env-schema.js";
import { PrismaClient } from "../lib/db/generated/client";
import { isAppError } from "../lib/errors";
import { auditKeyFiles, ensureDemoAuditKey } from "./lib/audit-keys";
import { openDatabase } from "./lib/database";

const USAGE =
  "usage: npm run audit:retain -- (--older-than-months N | --before YYYY-MM-01) (--dry-run | --yes) [--operator UPN]";

interface Command {
  cutOff: Date;
  operator: string;
  isDryRun: boolean;
  isConfirmed: boolean;
}

/** The command line, validated; a string is the problem to print with the usage. */
function parseCommand(argv: string[], defaultMonths: number | undefined, now: Date): Command | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        "older-than-months": { type: "string" },
        before: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        yes: { type: "boolean", default: false },
        operator: { type: "string" },
      },
    }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.before !== undefined && values["older-than-months"] !== undefined) {
    return "give --older-than-months or --before, not both";
  }
  if (values["dry-run"] && values.yes) return "give --dry-run or --yes, not both";
  const months = values["older-than-months"] ?? defaultMonths;
  if (values.before === undefined && months === undefined) {
    return "say what to keep: --older-than-months N, --before YYYY-MM-01, or set AUDIT_RETENTION_MONTHS";
  }
  const cutOff =
    values.before !== undefined
      ? ZBeforeCutOff.safeParse({ before: values.before })
      : ZMonthsCutOff.safeParse({ olderThanMonths: months });
  if (!cutOff.success) {
    const option = values.before !== undefined ? "--before" : "--older-than-months";
    return `${option} ${cutOff.error.issues[0]?.message ?? "is invalid"}`;
  }
  // Without --operator, the OS account that runs it, so that the audit event always names someone.
  const operator = ZOperator.safeParse(values.operator ?? `${userInfo().username}@${hostname()}`);
  if (!operator.success) return `--operator ${operator.error.issues[0]?.message ?? "is invalid"}`;
  let boundary: Date;
  try {
    boundary = retentionCutOff(cutOff.data, now);
  } catch (error) {
    return isAppError(error) ? error.userMessage : String(error);
  }
  return {
    cutOff: boundary,
    operator: operator.data,
    isDryRun: values["dry-run"],
    isConfirmed: values.yes,
  };
}

const count = (n: number) => n.toLocaleString("en-GB");
const day = (date: Date) => date.toISOString().slice(0, 10);

function printPlan(plan: RetentionPlan, keyId: string | null) {
  console.log(
    `Would remove ${count(plan.removedEvents)} audit events, seq ${plan.fromSeq} to ${plan.throughSeq}, all older than ${day(plan.cutOff)}:`,
  );
  for (const month of plan.months) console.log(`  ${month.month}  ${count(month.events)} events`);
  console.log(`The remaining chain would start after seq ${plan.throughSeq} (hash ${plan.throughHash}).`);
  if (plan.keptBeforeCutOff > 0) {
    console.log(
      `${count(plan.keptBeforeCutOff)} older events recorded after a newer one stay until a later run (retention never leaves a gap).`,
    );
  }
  const previous = plan.previousCheckpoint;
  console.log(previous ? `Follows checkpoint ${previous.id} (seq ${previous.throughSeq}).` : "First checkpoint.");
  console.log(
    keyId ? `Signing key: ${keyId}.` : "No signing key is configured (AUDIT_SIGNING_KEY_FILE): --yes would be refused.",
  );
}

async function run(): Promise<number> {
  const settings = parseAuditEnv(process.env);
  const command = parseCommand(process.argv.slice(2), settings.AUDIT_RETENTION_MONTHS, new Date());
  if (typeof command === "string") {
    console.log(`${command}\n${USAGE}`);
    return 2;
  }
  const database = await openDatabase({
    externalUrl: process.env.DATABASE_URL,
    port: Number(process.env.EMBEDDED_PG_PORT ?? 5433),
  });
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  try {
    if (database.isEmbedded) ensureDemoAuditKey();
    const signingKey = loadSigningKey(auditKeyFiles(settings, database.isEmbedded));
    if (!command.isConfirmed) {
      printPlan(await planAuditRetention(db, command.cutOff), signingKey && keyIdOf(signingKey));
      console.log(
        command.isDryRun ? "Dry run: nothing was removed." : "Nothing was removed: add --yes to remove them.",
      );
      return command.isDryRun ? 0 : 2;
    }
    const { checkpoint, plan } = await retainAuditHistory(db, { ...command, signingKey, now: new Date() });
    console.log(
      `Removed ${count(plan.removedEvents)} audit events, seq ${plan.fromSeq} to ${plan.throughSeq} (${plan.months.map((m) => m.month).join(", ")}), older than ${day(plan.cutOff)}.`,
    );
    console.log(
      `Checkpoint ${checkpoint.id}: through seq ${plan.throughSeq}, hash ${plan.throughHash}, follows ${checkpoint.previousId ?? "none"}, signed by key ${checkpoint.keyId}.`,
    );
    console.log(`Recorded as audit.retained by ${command.operator}.`);
    console.log(`Auditors check checkpoints with this public key (key id ${checkpoint.keyId}):`);
    console.log(publicKeyPem(signingKey!).trimEnd());
    return 0;
  } catch (error) {
    if (!isAppError(error)) throw error;
    console.log(error.userMessage);
    return 1;
  } finally {
    await db.$disconnect().catch(() => undefined);
    await database.stop();
  }
}

process.exit(await run());
