/**
 * Durations as the workflow uses them: whole minutes, written in ISO 8601 (P1D, PT1H30M) at the
 * edges and in words on pages. Only days, hours and minutes: PIM durations have no seconds, and
 * months or years have no fixed length.
 */
/**
 * Minutes in an ISO 8601 duration of days, hours and minutes (`P1D`, `PT8H`, `PT1H30M`). Seconds are
 * finer than any grant, and years, months and weeks have no fixed length in minutes, so they are
 * refused rather than guessed; so is zero, which no policy means.
 */
export function parseIsoDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(text);
  if (!match || text === "P") return undefined;
  const [days = 0, hours = 0, minutes = 0] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
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
