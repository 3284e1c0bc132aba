import { COUNT, dayLabel } from "./insights-format";
import { ScrollRegion } from "@/components/scroll-region";

export interface ChartSeries {
  label: string;
  /** at least 3:1 against white (WCAG 1.4.11), and told apart by the legend's order as well as its hue */
  color: string;
  values: number[];
}

const W = 720;
const H = 200;
const M = { top: 8, right: 12, bottom: 24, left: 44 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const INK = "#334155"; // slate-700
const GRID = "#cbd5e1"; // slate-300

/** A round step (1, 2 or 5 × 10ⁿ) giving at most four whole-number gridlines up to `max`. */
function gridStep(max: number) {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough)!;
}

/** At most six evenly spread day indexes to label, the first and last always. */
function labelledDays(count: number) {
  const marks = Math.min(count, 6);
  if (marks === 1) return [0];
  return [...new Set(Array.from({ length: marks }, (_, k) => Math.round((k * (count - 1)) / (marks - 1))))];
}

/**
 * Bars per UTC day, stacked by series, drawn as SVG on the server (no chart library, no script). It is
 * one image to assistive technology, named by the section's heading and described by its summary; the
 * legend is text, and the exact numbers are in the table below it.
 */
export function DayChart(props: {
  days: string[];
  series: ChartSeries[];
  /** what one unit is, e.g. "activations" */
  unit: string;
  labelledBy: string;
  describedBy: string;
  caption: string;
}) {
  const { days, series, unit } = props;
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + s.values[i]!, 0));
  const step = gridStep(Math.max(...totals));
  const top = Math.max(step, Math.ceil(Math.max(...totals) / step) * step);
  const y = (value: number) => M.top + PLOT_H - (value / top) * PLOT_H;
  const band = PLOT_W / days.length;
  // Wide bars get a gap and white seams between their parts; a year's bars are a pixel or two wide.
  const barWidth = band >= 4 ? Math.min(band * 0.75, 40) : band;
  const seam = band >= 4 ? 1 : 0;
  const gridlines = Array.from({ length: top / step + 1 }, (_, k) => k * step);

  return (
    <div>
      <ScrollRegion labelledBy={props.labelledBy} className="rounded-lg border border-slate-200 bg-white p-2">
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby={props.labelledBy}
          aria-describedby={props.describedBy}
          className="h-auto w-full min-w-[36rem]"
        >
          {gridlines.map((value) => (
            <g key={value}>
              <line x1={M.left} x2={W - M.right} y1={y(value)} y2={y(value)} stroke={GRID} strokeWidth={1} />
              <text x={M.left - 6} y={y(value) + 4} textAnchor="end" fontSize={11} fill={INK}>
                {COUNT.format(value)}
              </text>
            </g>
          ))}
          {days.map((day, i) => {
            let base = 0;
            const x = M.left + i * band + (band - barWidth) / 2;
            return (
              <g key={day}>
                <title>{`${dayLabel(day)}: ${COUNT.format(totals[i]!)} ${unit}`}</title>
                {series.map((s) => {
                  const value = s.values[i]!;
                  if (value === 0) return null;
                  const rect = (
                    <rect
                      key={s.label}
                      x={x}
                      width={barWidth}
                      y={y(base + value)}
                      height={y(base) - y(base + value)}
                      fill={s.color}
                      stroke="#ffffff"
                      strokeWidth={seam}
                    />
                  );
                  base += value;
                  return rect;
                })}
              </g>
            );
          })}
          {labelledDays(days.length).map((i, k, all) => (
            <text
              key={i}
              x={M.left + (i + 0.5) * band}
              y={H - 6}
              fontSize={11}
              fill={INK}
              textAnchor={all.length > 1 && k === 0 ? "start" : k === all.length - 1 && k > 0 ? "end" : "middle"}
            >
              {dayLabel(days[i]!, "short")}
            </text>
          ))}
        </svg>
      </ScrollRegion>
      {series.length > 1 ? (
        <ul className="mt-2 flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-800" aria-label="Legend">
          {series.map((s) => (
            <li key={s.label} className="flex items-center gap-1.5">
              <svg aria-hidden="true" className="inline-block size-3">
                <rect width="100%" height="100%" rx="2" fill={s.color} />
              </svg>
              {s.label} ({COUNT.format(s.values.reduce((sum, n) => sum + n, 0))})
            </li>
          ))}
        </ul>
      ) : null}
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium text-brand-700">Show as a table</summary>
        <ScrollRegion label={props.caption} className="mt-2 rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm tabular-nums">
            <caption className="sr-only">{props.caption}</caption>
            <thead className="bg-slate-100 text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Day (UTC)
                </th>
                {series.map((s) => (
                  <th key={s.label} scope="col" className="px-3 py-2 text-right font-medium">
                    {s.label}
                  </th>
                ))}
                {series.length > 1 ? (
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Total
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {days.map((day, i) => (
                <tr key={day} className="border-t border-slate-100">
                  <th scope="row" className="px-3 py-1 font-normal whitespace-nowrap">
                    <time dateTime={day}>{dayLabel(day)}</time>
                  </th>
                  {series.map((s) => (
                    <td key={s.label} className="px-3 py-1 text-right">
                      {COUNT.format(s.values[i]!)}
                    </td>
                  ))}
                  {series.length > 1 ? (
                    <td className="px-3 py-1 text-right font-medium">{COUNT.format(totals[i]!)}</td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </div>
  );
}
