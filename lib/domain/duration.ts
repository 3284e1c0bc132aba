/**
 * Durations as the workflow uses them: whole minutes, written in ISO 8601 (P1D, PT1H30M) at the
 * edges and in words on pages. Only days, hours and minutes: PIM durations have no seconds, and
 * months or years have no fixed length.
 */
const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

export function parseIsoDuration(text: string): number | undefined {
  const match = ISO_DURATION.exec(text.trim().toUpperCase());
  if (!match || text.trim().toUpperCase().endsWith("T")) return undefined;
  const [, days, hours, minutes] = match;
  if (days === undefined && hours === undefined && minutes === undefined) return undefined;
  const total = Number(days ?? 0) * 1440 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
  return total > 0 ? total : undefined;
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
