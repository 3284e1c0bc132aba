/** How the charts write numbers, days and durations: en-GB like the rest of the dashboard, always UTC. */
export const COUNT = new Intl.NumberFormat("en-GB");

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const SHORT_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** "2026-11-23" as "23 Nov 2026", or "23 Nov" for an axis. */
export const dayLabel = (isoDay: string, style: "long" | "short" = "long") =>
  (style === "short" ? SHORT_DAY : DAY).format(new Date(`${isoDay}T00:00:00Z`));

const UNITS: Array<[string, number]> = [
  ["d", 86_400],
  ["h", 3_600],
  ["min", 60],
  ["s", 1],
];

/**
 * A duration in its largest unit and the next ("2 h 5 min", "2 h", "45 s"), or every unit from the
 * largest down to the second for the tables ("2 h 0 min 12 s").
 */
export function formatDuration(seconds: number, precision: "short" | "exact" = "short") {
  let rest = Math.max(0, Math.round(seconds));
  const amounts = UNITS.map(([unit, size]) => {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    return { unit, amount };
  });
  const first = amounts.findIndex((a) => a.amount > 0);
  if (first === -1) return "0 s";
  const shown = precision === "exact" ? amounts.slice(first) : amounts.slice(first, first + 2);
  return shown
    .filter((a, i) => i === 0 || precision === "exact" || a.amount > 0)
    .map((a) => `${a.amount} ${a.unit}`)
    .join(" ");
}
