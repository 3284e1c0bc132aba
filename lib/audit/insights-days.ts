/**
 * The auditor's charts count by UTC day: the window they cover, and sparse per-day counts from SQL
 * made dense (one value per day, zeros included) so that a chart and its table show every day.
 * Pure: `now` is an argument.
 */
import { z } from "zod";
import { isStorableInstant } from "@/lib/validation/fields";

/** The default window, ending today; and the longest, so that a leap year fits whole. */
export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 366;

const DAY_MS = 24 * 3_600_000;

/** Forms send empty fields as ""; an empty date is the default. */
const day = (name: string) =>
  z.preprocess(
    (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.iso
      .date({ message: `Give ${name} as a date, e.g. 2026-11-23.` })
      .refine((date) => isStorableInstant(`${date}T00:00:00Z`), `Give ${name} as a date from the year 1 on.`)
      .optional(),
  );

const ZWindowInput = z.object({
  /** the first day, inclusive */
  from: day("From"),
  /** the last day, inclusive */
  to: day("To"),
});

export type InsightsWindowInput = z.input<typeof ZWindowInput>;

export interface InsightsWindow {
  /** first and last day, inclusive, as YYYY-MM-DD */
  from: string;
  to: string;
  /** midnight UTC of `from`, and of the day after `to`: events at or after start and before end */
  start: Date;
  end: Date;
  /** every day from `from` to `to` */
  days: string[];
}

const midnight = (isoDay: string) => new Date(`${isoDay}T00:00:00Z`);
const isoDay = (time: Date) => time.toISOString().slice(0, 10);

/** The days from `from` to `to` inclusive, as the schema parses them (defaults filled in from `now`). */
export const windowSchema = (now: Date) =>
  ZWindowInput.transform((input, ctx) => {
    const to = input.to ?? isoDay(now);
    const from = input.from ?? isoDay(new Date(midnight(to).getTime() - (DEFAULT_WINDOW_DAYS - 1) * DAY_MS));
    const start = midnight(from);
    const end = new Date(midnight(to).getTime() + DAY_MS);
    const count = Math.round((end.getTime() - start.getTime()) / DAY_MS);
    if (count < 1) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "Make To the same day as From or later." });
      return z.NEVER;
    }
    if (count > MAX_WINDOW_DAYS) {
      ctx.addIssue({
        code: "custom",
        path: ["from"],
        message: `Choose at most ${MAX_WINDOW_DAYS} days: this window has ${count}.`,
      });
      return z.NEVER;
    }
    const days = Array.from({ length: count }, (_, i) => isoDay(new Date(start.getTime() + i * DAY_MS)));
    return { from, to, start, end, days } satisfies InsightsWindow;
  });

/** One value per day of `days`, 0 where `rows` has none (rows outside the days are ignored). */
export function perDay(days: readonly string[], rows: ReadonlyArray<{ day: string; count: number }>): number[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.day, (counts.get(row.day) ?? 0) + row.count);
  return days.map((d) => counts.get(d) ?? 0);
}

export interface DaySeries<K> {
  key: K;
  total: number;
  perDay: number[];
}

/**
 * Sparse rows grouped into one dense series per key (e.g. cluster and role), largest total first,
 * then in `name` order, so that the same data always draws and lists the same way.
 */
export function seriesByDay<R extends { day: string; count: number }, K>(
  days: readonly string[],
  rows: readonly R[],
  keyOf: (row: R) => K,
  name: (key: K) => string,
): Array<DaySeries<K>> {
  const groups = new Map<string, { key: K; rows: R[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(name(key)) ?? { key, rows: [] };
    group.rows.push(row);
    groups.set(name(key), group);
  }
  return [...groups.values()]
    .map(({ key, rows: own }) => {
      const values = perDay(days, own);
      return { key, perDay: values, total: values.reduce((sum, n) => sum + n, 0) };
    })
    .sort((a, b) => b.total - a.total || name(a.key).localeCompare(name(b.key)));
}
