/* Exports every audit event (CSV or JSON Lines, the first argument) to nowhere, and prints {rows, ms,
 * peakRssMb, megabytes} as JSON: run by `npm run bench:audit` in its own process, so that its peak
 * memory is the export's alone. CSV rows are counted by the newlines outside quoted fields. */
import { exportAuditEvents } from "../../lib/audit/export";
import { benchContext } from "./viewer";

const started = performance.now();
const format = process.argv[2] === "jsonl" ? "jsonl" : "csv";
const reader = (await exportAuditEvents(benchContext, {}, format)).getReader();
let bytes = 0;
let lines = 0;
let isQuoted = false;
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  bytes += value.byteLength;
  for (const byte of value) {
    if (format === "csv" && byte === 0x22) isQuoted = !isQuoted;
    else if (byte === 0x0a && !isQuoted) lines += 1;
  }
}
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    rows: format === "csv" ? lines - 1 : lines, // CSV has a header row
    ms,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    megabytes: Math.round(bytes / 1_048_576),
  }),
);
process.exit(0);
