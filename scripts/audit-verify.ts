/* `npm run audit:verify`: checks every link of the audit history's hash chain and prints how many
 * events it checked and the first broken link, if any (exit code 1 then). Uses DATABASE_URL, or the
 * embedded PostgreSQL in .data/ when the demo is not running. */
import pg from "pg";
import { verifyAuditChain } from "../lib/audit/verify-chain";
import { openDatabase } from "./lib/database";

const database = await openDatabase({
  externalUrl: process.env.DATABASE_URL,
  port: Number(process.env.EMBEDDED_PG_PORT ?? 5433),
});
const client = new pg.Client({ connectionString: database.url });
let exitCode = 0;
try {
  await client.connect();
  const report = await verifyAuditChain(async (text, values) => (await client.query(text, values)).rows);
  const unchained = report.unchained > 0 ? ` (${report.unchained} earlier events predate the chain)` : "";
  if (report.broken) {
    exitCode = 1;
    console.log(`Audit chain BROKEN at event seq ${report.broken.seq}: ${report.broken.reason}.`);
    console.log(`${report.events} events before it are intact${unchained}. Checked in ${report.durationMs} ms.`);
  } else {
    console.log(`Audit chain intact: ${report.events} events${unchained}, checked in ${report.durationMs} ms.`);
    if (report.lastSeq) console.log(`Last event: seq ${report.lastSeq}, hash ${report.lastHash}`);
  }
} finally {
  await client.end().catch(() => undefined);
  await database.stop();
}
process.exit(exitCode);
