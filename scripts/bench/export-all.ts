/* Exports every audit event (CSV or JSON Lines, the first argument) to nowhere, and prints {rows, ms,
 * firstBatchRssMb, peakRssMb, megabytes} as JSON: run by `npm run bench:audit` in its own process, so
 * that its memory is the export's alone. The peak beside the RSS once the first batch arrived shows
 * whether memory grew with the rows. CSV rows are counted by the newlines outside quoted fields. */
import { exportAuditEvents } from "../../lib/audit/export";
import { benchContext } from "./viewer";

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const format = process.argv[2] === "jsonl" ? "jsonl" : "csv";
const reader = (await exportAuditEvents(benchContext, {}, format)).getReader();
let bytes = 0;
let lines = 0;
let isQuoted = false;
let firstBatchRssMb = 0;
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  firstBatchRssMb ||= megabytesOf(process.memoryUsage.rss());
  bytes += value.byteLength;
  if (format === "csv") countCsvRecordEnds(value);
  else for (let n = value.indexOf(0x0a); n >= 0; n = value.indexOf(0x0a, n + 1)) lines += 1;
}
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    rows: format === "csv" ? lines - 1 : lines, // CSV has a header row
    ms,
    cpuMs: Math.round(((usage) => (usage.user + usage.system) / 1000)(process.cpuUsage(cpuAtStart))),
    firstBatchRssMb,
    peakRssMb: megabytesOf(process.resourceUsage().maxRSS * 1024),
    megabytes: megabytesOf(bytes),
  }),
);
process.exit(0);

/** Newlines outside quoted fields, in an indexed loop (a for…of over the bytes costs ten times more). */
function countCsvRecordEnds(chunk: Uint8Array) {
  for (let i = 0; i < chunk.length; i += 1) {
    const byte = chunk[i];
    if (byte === 0x22) isQuoted = !isQuoted;
    else if (byte === 0x0a && !isQuoted) lines += 1;
  }
}

function megabytesOf(bytes: number) {
  return Math.round(bytes / 1_048_576);
}
