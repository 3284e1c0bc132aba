/**
 * The field types every zod schema of forms and routes is built from, so that each text and date
 * field refuses what PostgreSQL cannot store with a 400 naming the field, instead of a 500 from the
 * database. Lower than the features that use it: it imports nothing of the app.
 */
import { z } from "zod";

/**
 * NUL (PostgreSQL text and jsonb cannot hold it) and UTF-16 surrogates without their other half
 * (not Unicode at all: they cannot be encoded as UTF-8). Nobody types either on purpose.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorableText = (value: string) => !UNSTORABLE.test(value);

/**
 * A text field: a string that PostgreSQL can store. `label` names the field in the message, as
 * people know it ("the justification"). Chain `.trim()`, `.min()`, `.max()` as with z.string().
 */
export const text = (label: string) =>
  z
    .string()
    .refine(isStorableText, `Remove the NUL character or broken character (a lone UTF-16 surrogate) from ${label}.`);

/**
 * PostgreSQL's timestamps reach from 4713 BC to AD 294276; years before 1 are refused, since
 * ISO 8601's year 0000 and negative years are read differently by PostgreSQL and by JavaScript, and
 * no access or audit event is dated then.
 */
export const EARLIEST_INSTANT = Date.parse("0001-01-01T00:00:00Z");
/** JavaScript's last instant (AD 275760), which comes before PostgreSQL's. */
export const LATEST_INSTANT = 8.64e15;

/** Text that is no date at all passes: the format check reports it, once. */
export const isStorableInstant = (value: string) => {
  const time = Date.parse(value);
  return Number.isNaN(time) || (time >= EARLIEST_INSTANT && time <= LATEST_INSTANT);
};

/**
 * A date and time with its offset (ISO 8601, kept as the text given) that PostgreSQL can store.
 * `label` names the field in the messages.
 */
export const instant = (label: string) => {
  const format = `Give ${label} as a date and time with its offset, e.g. 2026-11-23T08:00:00Z.`;
  return z.iso
    .datetime({ offset: true, message: format })
    .refine(isStorableInstant, `Give ${label} as a date from the year 1 on, e.g. 2026-11-23T08:00:00Z.`);
};
