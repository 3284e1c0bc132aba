/* `npm run audit:verify`: checks every link of the audit history's hash chain and prints how many
 * events it checked and the first broken link, if any (exit code 1 then). Uses DATABASE_URL, or the
 * embedded PostgreSQL in .data/ when the demo is not running.
 * `npm run audit:verify -- --pack FILE` checks an evidence pack offline, without any database. */
import { readFileSync } from "node:fs";
import pg from "pg";
import { checkEvidencePack, type EvidencePack } from "../lib/audit/evidence-check";
import { verifyAuditChain } from "../lib/audit/verify-chain";
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
    await client.connect();
    const report = await verifyAuditChain(async (text, values) => (await client.query(text, values)).rows);
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

const packIndex = process.argv.indexOf("--pack");
const packFile = packIndex > 0 ? process.argv[packIndex + 1] : undefined;
if (packIndex > 0 && !packFile) {
  console.log("usage: npm run audit:verify -- --pack <evidence-pack.json>");
  process.exit(2);
}
process.exit(packFile ? checkPack(packFile) : await checkDatabase());
