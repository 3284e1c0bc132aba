/**
 * Times as a viewer reads and types them: in their own IANA time zone (from their browser, stored
 * with them), written day-month-year with a 24-hour clock, and typed as `YYYY-MM-DD HH:MM` so that
 * nobody has to guess whether 05/12 is May or December. Pure: Intl only, `now` passed in. Browsers
 * load this module (local times, the start field): no zod here, which would weigh 30 KB on every page.
 */

/** The zone of a viewer whose browser has not told us theirs yet. */
export const UTC = "UTC";

let supported: Set<string> | undefined;

/** Intl's canonical name of `zone` ("Etc/UTC" → "UTC"), or null when Intl does not know it. */
function canonicalZone(zone: string): string | null {
  if (zone.length === 0 || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null; // RangeError: not a zone Intl knows
  }
}

/**
 * Whether `zone` is an IANA zone this runtime knows. Intl.supportedValuesOf lists canonical names
 * only (ICU's "Asia/Calcutta", not the "Asia/Kolkata" browsers report), so a name is first
 * canonicalised by Intl itself; "UTC" is valid though not listed.
 */
export function isSupportedTimeZone(zone: string): boolean {
  const canonical = canonicalZone(zone);
  if (canonical === null) return false;
  supported ??= new Set(Intl.supportedValuesOf("timeZone"));
  return canonical === UTC || supported.has(canonical);
}

/**
 * The zone to show times in: the stored one when it is still valid, else UTC. UTC's other names
 * ("Etc/UTC", what many servers' browsers report) are UTC, so that times then say "UTC".
 */
export function viewerZone(stored: string | null | undefined): string {
  if (!stored || !isSupportedTimeZone(stored)) return UTC;
  return canonicalZone(stored) === UTC ? UTC : stored;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(zone: string, kind: "display" | "parts") {
  const key = `${kind} ${zone}`;
  let format = formats.get(key);
  if (!format) {
    format =
      kind === "display"
        ? new Intl.DateTimeFormat("en-GB", {
            day: "numeric",
            month: "short",
            year: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
            timeZone: zone,
            timeZoneName: zone === UTC ? undefined : "short",
          })
        : new Intl.DateTimeFormat("en-GB", {
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
            timeZone: zone,
          });
    formats.set(key, format);
  }
  return format;
}

/** "5 Dec 2026, 19:03:26 GMT+5:30": the instant in `zone`, naming the zone's offset ("UTC" for UTC). */
export function formatInZone(date: Date, zone: string): string {
  const text = formatFor(zone, "display").format(date);
  return zone === UTC ? `${text} UTC` : text;
}

/** "5 Dec 2026, 13:33:26 UTC": what the tooltip of every time says. */
export const formatUtc = (date: Date) => formatInZone(date, UTC);

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTimeOf(date: Date, zone: string): WallTime {
  const parts = Object.fromEntries(
    formatFor(zone, "parts")
      .formatToParts(date)
      .filter((p) => p.type !== "literal")
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const asUtcMs = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** How far `zone` is ahead of UTC at `date`, in ms. */
const offsetMs = (date: Date, zone: string) =>
  asUtcMs(wallTimeOf(date, zone)) - Math.floor(date.getTime() / 1000) * 1000;

/**
 * The instant a wall-clock time in `zone` names. In a gap (clocks forward) the offset before the
 * change applies, so 02:30 on a spring-forward night reads as 03:30; in an overlap, the earlier one.
 */
function instantOf(wall: WallTime, zone: string): Date {
  const guess = asUtcMs(wall);
  const DAY = 86_400_000;
  // Zones change offset at most once a day: the offsets either side are the candidates.
  const candidates = [offsetMs(new Date(guess - DAY), zone), offsetMs(new Date(guess + DAY), zone)].map(
    (offset) => guess - offset,
  );
  const valid = candidates.filter((t) => guess - offsetMs(new Date(t), zone) === t);
  return new Date(valid.length > 0 ? Math.min(...valid) : candidates[0]!);
}

/** What the time fields take: `YYYY-MM-DD HH:MM` (a `T` or seconds are fine too). */
export const WALL_TIME_FORMAT = "YYYY-MM-DD HH:MM";
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A typed `YYYY-MM-DD HH:MM` in `zone` as an instant; null when it is not such a time or no such day. */
export function parseWallTime(text: string, zone: string): Date | null {
  const m = WALL_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const wall = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second };
  const check = new Date(asUtcMs(wall));
  const isReal =
    check.getUTCFullYear() === wall.year &&
    check.getUTCMonth() + 1 === wall.month &&
    check.getUTCDate() === wall.day &&
    wall.hour < 24 &&
    wall.minute < 60 &&
    wall.second < 60;
  return isReal ? instantOf(wall, zone) : null;
}

const two = (n: number) => String(n).padStart(2, "0");

/** An instant as a time field shows it in `zone`: `2026-12-05 19:03` (seconds only when not zero). */
export function toWallTime(date: Date, zone: string): string {
  const w = wallTimeOf(date, zone);
  const text = `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}`;
  return w.second === 0 ? text : `${text}:${two(w.second)}`;
}

export const RANGE_PRESETS = ["today", "7d", "30d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const RANGE_PRESET_LABELS: Record<RangePreset, string> = {
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

/**
 * A preset as whole days in `zone`, ending with today: from midnight `days - 1` days ago to the
 * coming midnight, as time-field text.
 */
export function presetRange(preset: RangePreset, now: Date, zone: string): { from: string; to: string } {
  const days = { today: 1, "7d": 7, "30d": 30 }[preset];
  const today = wallTimeOf(now, zone);
  const midnight = (offsetDays: number) => {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offsetDays));
    const wall = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
    return toWallTime(instantOf({ ...wall, hour: 0, minute: 0, second: 0 }, zone), zone);
  };
  return { from: midnight(1 - days), to: midnight(1) };
}
