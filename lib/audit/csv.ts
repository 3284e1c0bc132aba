/** CSV as the audit's files write it (exports, evidence packs). Pure. */

/** One CSV record, CRLF-terminated as RFC 4180 has it. */
export function csvLine(fields: readonly string[]) {
  let line = "";
  for (let i = 0; i < fields.length; i += 1) line += i === 0 ? csvField(fields[i]!) : `,${csvField(fields[i]!)}`;
  return `${line}\r\n`;
}

/** What needs quoting: a comma, a quote or a line break. */
const SPECIAL = /[",\r\n]/;

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. A field that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe: requesters
 * write justifications and tickets, auditors open the file. JSON keeps every value as stored.
 * Written for an export of a million rows: the first character is compared, not matched.
 */
export function csvField(value: string) {
  const first = value.charCodeAt(0);
  const safe =
    first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13 ? `'${value}` : value;
  return SPECIAL.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
