/* `npm run audit:verify`: checks every link of the audit history's hash chain and prints how many
 * events it checked and the first broken link, if any (exit code 1 then). After retention, the chain
 * starts after the latest signed checkpoint, checked with AUDIT_VERIFY_KEY_FILE (or the public half
 * of AUDIT_SIGNING_KEY_FILE). Uses DATABASE_URL, or the embedded PostgreSQL in .data/ (and the demo
 * key in .data/certs) when the demo is not running.
 * `npm run audit:verify -- --pack FILE` checks an evidence pack offline, without any database. */
import { readFileSync } from "node:fs";
import pg from "pg";
import { checkEvidencePack, type EvidencePack } from "../lib/audit/evidence-check";
import { loadVerifyKey } from "../lib/audit/checkpoint-keys";
import { verifyAuditChain, type ChainReport } from "../lib/audit/verify-chain";
import { parseAuditEnv } from "../lib/config/env-schema.js";
import { auditKeyFiles } from "./lib/audit-keys";
import { openDatabase } from "./lib/database";

function checkPack(file: string): number {
  let pack: EvidencePack;
  try {
    pack = JSON.parse(readFileSync(file, "utf8")) as EvidencePack;
  } catch (error) {
    console.log(`Cannot read the evidence pack ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const result = checkEvidencePack(pack);
  if (!result.isValid) {
    console.log(`Evidence pack INVALID: ${result.problem}.`);
    return 1;
  }
  console.log(
    `Evidence pack valid: ${result.events} events of request ${pack.requestId} match their hashes and sit in an ` +
      `unbroken run of ${result.links} chain links (seq ${result.fromSeq} to ${result.toSeq}).`,
  );
  if (result.posture !== undefined) {
    console.log(
      `Posture of ${pack.request.clusterName} at the grant: ${result.posture ?? "no grant (access never began)"}.`,
    );
  }
  if (result.activity !== undefined) {
    console.log(`Activity of the holder: ${result.activity ?? "not summarised yet"}.`);
  }
  console.log(`Anchor: seq ${result.toSeq}, hash ${result.anchorHash} (compare with the live chain).`);
  return 0;
}

async function checkDatabase(): Promise<number> {
  const database = await openDatabase({
    externalUrl: process.env.DATABASE_URL,
    port: Number(process.env.EMBEDDED_PG_PORT ?? 5433),
  });
  const client = new pg.Client({ connectionString: database.url });
  try {
    const checkpointKey = loadVerifyKey(auditKeyFiles(parseAuditEnv(process.env), database.isEmbedded));
    await client.connect();
    // One snapshot for the whole walk: a retention committing meanwhile must not look like a gap.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const report = await verifyAuditChain(async (text, values) => (await client.query(text, values)).rows, {
      checkpointKey,
    });
    await client.query("COMMIT");
    printStart(report);
    const unchained = report.unchained > 0 ? ` (${report.unchained} earlier events predate the chain)` : "";
    if (report.broken) {
      console.log(`Audit chain BROKEN at event seq ${report.broken.seq}: ${report.broken.reason}.`);
      console.log(`${report.events} events before it are intact${unchained}. Checked in ${report.durationMs} ms.`);
      return 1;
    }
    console.log(`Audit chain intact: ${report.events} events${unchained}, checked in ${report.durationMs} ms.`);
    if (report.lastSeq) console.log(`Last event: seq ${report.lastSeq}, hash ${report.lastHash}`);
    return 0;
  } finally {
    await client.end().catch(() => undefined);
    await database.stop();
  }
}

function printStart({ startsAfter, checkpoints }: ChainReport) {
  if (!startsAfter) return;
  console.log(
    `Older history was removed by retention (${checkpoints} checkpoint${checkpoints === 1 ? "" : "s"}): the chain starts ` +
      `after checkpoint ${startsAfter.checkpointId}, seq ${startsAfter.seq}, hash ${startsAfter.hash} ` +
      `(${startsAfter.removedEvents} events older than ${startsAfter.olderThan.slice(0, 10)}, key ${startsAfter.keyId}).`,
  );
}

const packIndex = process.argv.indexOf("--pack");
const packFile = packIndex > 0 ? process.argv[packIndex + 1] : undefined;
if (packIndex > 0 && !packFile) {
  console.log("usage: npm run audit:verify -- --pack <evidence-pack.json>");
  process.exit(2);
}
process.exit(packFile ? checkPack(packFile) : await checkDatabase());
