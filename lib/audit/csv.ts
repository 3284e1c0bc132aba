/** CSV as the audit's files write it (exports, evidence packs). Pure. */

/** One CSV record, CRLF-terminated as RFC 4180 has it. */
export function csvLine(fields: readonly string[]) {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A field that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe: requesters
 * write justifications and tickets, auditors open the file. JSON keeps every value as stored.
 */
export function csvField(value: string) {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
