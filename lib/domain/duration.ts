/**
 * Durations as the workflow uses them: whole minutes, written in ISO 8601 (P1D, PT1H30M) at the
 * edges and in words on pages. One reader of ISO 8601 for the app, the catalog and the emulator:
 * `durationMs` reads what Azure reads, `parseIsoDuration` adds the workflow's stricter rule on top.
 */

/** The fields of `P[n]W[n]DT[n]H[n]M[n]S`; absent fields are undefined. */
interface DurationParts {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

// Years and months have no fixed length and are refused. Only seconds take a fraction, the smallest
// field as ISO 8601 allows; letters in either case, as the emulator has always read them.
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** The parts of an ISO 8601 duration as Azure accepts it (PT8H, P180D, P1W, PT30.5S); undefined if invalid. */
function parseDurationParts(text: string): DurationParts | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  const [weeks, days, hours, minutes, seconds] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  return { weeks, days, hours, minutes, seconds };
}

/** Milliseconds of an ISO 8601 duration as Azure accepts it (zero included); undefined if invalid. */
export function durationMs(text: string): number | undefined {
  const parts = parseDurationParts(text);
  if (!parts) return undefined;
  const { weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0 } = parts;
  return ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/**
 * Minutes in an ISO 8601 duration of days, hours and minutes (`P1D`, `PT8H`, `PT1H30M`): the workflow's
 * rule on top of what Azure accepts. Seconds are finer than any grant and weeks are written as days
 * (P7D), so both are refused rather than guessed; so are zero, which no policy means, and lower case.
 */
export function parseIsoDuration(text: string): number | undefined {
  const parts = parseDurationParts(text);
  if (!parts || text !== text.toUpperCase() || parts.weeks !== undefined || parts.seconds !== undefined) {
    return undefined;
  }
  const { days = 0, hours = 0, minutes = 0 } = parts;
  const total = days * 24 * 60 + hours * 60 + minutes;
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

export function toIsoDuration(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const time = `${hours ? `${hours}H` : ""}${rest ? `${rest}M` : ""}`;
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : ""}` || "PT0M";
}

export function describeDuration(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days ? `${days} d` : "", hours ? `${hours} h` : "", rest ? `${rest} min` : ""].filter(Boolean);
  return parts.join(" ") || "0 min";
}

export const addMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);
