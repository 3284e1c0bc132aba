import { INSIGHTS_LIST_LIMIT, type AuditInsights } from "@/lib/audit/insights";
import { COUNT, dayLabel, formatDuration } from "./insights-format";

/**
 * What each chart shows, in a sentence or two: read first by screen readers (the chart's description)
 * and by anyone who wants the gist without reading bars.
 */
const plural = (n: number, one: string, many: string) => `${COUNT.format(n)} ${n === 1 ? one : many}`;
const daysWith = (values: number[]) => values.filter((n) => n > 0).length;
/** ", on 3 days", unless the window is one day. */
const spreadOf = (values: number[]) => (values.length === 1 ? "" : `, on ${plural(daysWith(values), "day", "days")}`);

export const periodOf = ({ window }: AuditInsights) =>
  window.from === window.to
    ? `on ${dayLabel(window.from)} (UTC)`
    : `from ${dayLabel(window.from)} to ${dayLabel(window.to)} (UTC)`;

export function activationSummary(insights: AuditInsights) {
  const { window, activations } = insights;
  const top = activations.series[0];
  if (!top) return `No request became active ${periodOf(insights)}.`;
  const totals = window.days.map((_, i) => activations.series.reduce((sum, s) => sum + s.perDay[i]!, 0));
  const busiest = totals.indexOf(Math.max(...totals));
  const spread =
    window.days.length === 1
      ? "."
      : `, on ${COUNT.format(daysWith(totals))} of the ${plural(window.days.length, "day", "days")}. The busiest ` +
        `day was ${dayLabel(window.days[busiest]!)} with ${COUNT.format(totals[busiest]!)}.`;
  return (
    `${plural(activations.total, "request", "requests")} became active ${periodOf(insights)}${spread} The most ` +
    `activated was ${top.key.roleName} on ${top.key.clusterName} (${COUNT.format(top.total)}).`
  );
}

export function approvalSummary(insights: AuditInsights) {
  const { overall, clusters } = insights.approvalTimes;
  const rule =
    "Counted to the approval that completed a request (the second of two, say). Self-activated and " +
    "break-glass requests are approved by policy at once, so they are left out.";
  if (!overall) return `No request was approved by a person ${periodOf(insights)}. ${rule}`;
  const slowest = [...clusters].sort((a, b) => b.medianSeconds - a.medianSeconds)[0];
  return (
    `Over ${plural(overall.approvals, "approval", "approvals")} ${periodOf(insights)}, the median time from ` +
    `request to approval was ${formatDuration(overall.medianSeconds)} and the 90th percentile ` +
    `${formatDuration(overall.p90Seconds)}.` +
    (slowest && clusters.length > 1
      ? ` The slowest median was on ${slowest.clusterName} (${formatDuration(slowest.medianSeconds)}).`
      : "") +
    ` ${rule}`
  );
}

export function breakGlassSummary(insights: AuditInsights) {
  const { total, perDay, uses } = insights.breakGlass;
  if (total === 0) return `Nobody used break-glass ${periodOf(insights)}.`;
  return (
    `${plural(total, "break-glass request", "break-glass requests")} ${periodOf(insights)}${spreadOf(perDay)}.` +
    (total > uses.length ? ` The newest ${INSIGHTS_LIST_LIMIT} are listed.` : "")
  );
}

/** Without the link to the rest, which the section adds when the list is cut short. */
export function failureSummary(insights: AuditInsights) {
  const { total, perDay, failures } = insights.failedActivations;
  if (total === 0) return `No activation failed ${periodOf(insights)}.`;
  return (
    `${plural(total, "activation", "activations")} failed ${periodOf(insights)}${spreadOf(perDay)}.` +
    (total > failures.length ? ` The newest ${INSIGHTS_LIST_LIMIT} are listed;` : "")
  );
}
