import type { ApprovalTime } from "@/lib/audit/insights";
import { COUNT, formatDuration } from "./insights-format";
import { ScrollRegion } from "@/components/scroll-region";

const TH = "px-3 py-2 font-medium";
const TD = "px-3 py-1 text-right";

function Row({ time, longest, name }: { time: ApprovalTime; longest: number; name: string }) {
  const width = (seconds: number) => `${longest > 0 ? (seconds / longest) * 100 : 0}%`;
  return (
    <li className="grid gap-x-4 gap-y-1 sm:grid-cols-[12rem_1fr]">
      <span className="text-sm font-medium break-all text-slate-800">{name}</span>
      <div>
        {/* The 90th percentile as an outlined bar, the median as a solid one inside it; the words below say both. */}
        {/* SVG sizes, not style attributes: the CSP allows no inline styles (lib/http/security-headers.js). */}
        <svg aria-hidden="true" className="block h-4 w-full overflow-visible">
          <rect
            x="0.5"
            y="0.5"
            width={width(time.p90Seconds)}
            height="15"
            rx="2"
            className="fill-brand-50 stroke-brand-700"
          />
          <rect width={width(time.medianSeconds)} height="16" rx="2" className="fill-brand-700" />
        </svg>
        <p className="mt-0.5 text-xs text-slate-700">
          median {formatDuration(time.medianSeconds)} · 90th percentile {formatDuration(time.p90Seconds)} ·{" "}
          {COUNT.format(time.approvals)} {time.approvals === 1 ? "approval" : "approvals"}
        </p>
      </div>
    </li>
  );
}

/**
 * Time from request to approval per cluster, as horizontal bars on one scale (the longest 90th
 * percentile), every cluster together first. The bars are decoration for the numbers written beside
 * them; the table has them to the second.
 */
export function ApprovalTimes({ overall, clusters }: { overall: ApprovalTime; clusters: ApprovalTime[] }) {
  const longest = Math.max(overall.p90Seconds, ...clusters.map((c) => c.p90Seconds));
  const rows = [
    { name: "All clusters", time: overall },
    ...clusters.map((time) => ({ name: time.clusterName!, time })),
  ];
  return (
    <>
      <ul className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        {rows.map(({ name, time }) => (
          <Row key={name} name={name} time={time} longest={longest} />
        ))}
      </ul>
      <p className="mt-2 flex flex-wrap gap-x-5 text-sm text-slate-800">
        <span className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block size-3 rounded-sm bg-brand-700" /> median
        </span>
        <span className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block size-3 rounded-sm border border-brand-700 bg-brand-50" />{" "}
          90th percentile
        </span>
      </p>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium text-brand-700">Show as a table</summary>
        <ScrollRegion
          label="Time from request to approval by cluster"
          className="mt-2 rounded-lg border border-slate-200 bg-white"
        >
          <table className="w-full text-left text-sm tabular-nums">
            <caption className="sr-only">Time from request to approval by cluster, to the second</caption>
            <thead className="bg-slate-100 text-slate-700">
              <tr>
                <th scope="col" className={TH}>
                  Cluster
                </th>
                {["Approvals", "Median", "90th percentile"].map((name) => (
                  <th key={name} scope="col" className={`${TH} text-right`}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(({ name, time }) => (
                <tr key={name} className="border-t border-slate-100">
                  <th scope="row" className="px-3 py-1 font-normal">
                    {name}
                  </th>
                  <td className={TD}>{COUNT.format(time.approvals)}</td>
                  <td className={TD}>{formatDuration(time.medianSeconds, "exact")}</td>
                  <td className={TD}>{formatDuration(time.p90Seconds, "exact")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </>
  );
}
