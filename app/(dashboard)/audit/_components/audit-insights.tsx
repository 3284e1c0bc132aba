import type { ReactNode } from "react";
import { auditInsights, type AuditInsights as Insights } from "@/lib/audit/insights";
import type { SessionUser } from "@/lib/context";
import { AppError, type FieldProblem } from "@/lib/errors";
import { ApprovalTimes } from "./insights-approval-times";
import { DayChart, type ChartSeries } from "./insights-day-chart";
import { hrefWith, INSIGHTS_PARAMS, InsightsForm } from "./insights-form";
import { ActivationTotals, BreakGlassList, FailureList } from "./insights-lists";
import { activationSummary, approvalSummary, breakGlassSummary, failureSummary, periodOf } from "./insights-summaries";

type Params = Record<string, string | string[] | undefined>;

// Each at least 4.7:1 against white; more cluster/role pairs than colours share the last, grey, bar.
const PALETTE = ["#1d4ed8", "#c2410c", "#047857", "#a21caf", "#155e75", "#854d0e"];
const OTHER = "#64748b";

function Chart({
  id,
  title,
  summary,
  children,
}: {
  id: string;
  title: string;
  summary: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="mt-8">
      <h3 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h3>
      <p id={`${id}-summary`} className="mt-1 mb-3 max-w-3xl text-sm text-slate-700">
        {summary}
      </p>
      {children}
    </section>
  );
}

function activationSeries({ activations, window }: Insights): ChartSeries[] {
  const named = activations.series.map((s) => ({ ...s, label: `${s.key.roleName} on ${s.key.clusterName}` }));
  if (named.length <= PALETTE.length) return named.map((s, i) => ({ ...s, color: PALETTE[i]!, values: s.perDay }));
  const rest = named.slice(PALETTE.length - 1);
  return [
    ...named.slice(0, PALETTE.length - 1).map((s, i) => ({ ...s, color: PALETTE[i]!, values: s.perDay })),
    {
      label: `${rest.length} other roles and clusters`,
      color: OTHER,
      values: window.days.map((_, day) => rest.reduce((sum, s) => sum + s.perDay[day]!, 0)),
    },
  ];
}

function Charts({ insights }: { insights: Insights }) {
  const { window, activations, approvalTimes, breakGlass, failedActivations: failed } = insights;
  const nextDay = new Date(Date.parse(`${window.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const failureSearch = hrefWith("/audit", [
    ["type", "request.activation_failed"],
    ["from", `${window.from}T00:00`],
    ["to", `${nextDay}T00:00`],
  ]);
  const chart = (id: string, label: string, series: ChartSeries[]) => (
    <DayChart
      days={window.days}
      series={series}
      unit={label.toLowerCase()}
      labelledBy={id}
      describedBy={`${id}-summary`}
      caption={`${label} per day, ${periodOf(insights)}`}
    />
  );

  return (
    <>
      <Chart id="insights-activations" title="Activations per day" summary={activationSummary(insights)}>
        {activations.total > 0 ? chart("insights-activations", "Activations", activationSeries(insights)) : null}
        {activations.series.length > PALETTE.length ? <ActivationTotals series={activations.series} /> : null}
      </Chart>
      <Chart id="insights-approval" title="Time from request to approval" summary={approvalSummary(insights)}>
        {approvalTimes.overall ? (
          <ApprovalTimes overall={approvalTimes.overall} clusters={approvalTimes.clusters} />
        ) : null}
      </Chart>
      <Chart id="insights-break-glass" title="Break-glass uses" summary={breakGlassSummary(insights)}>
        {breakGlass.total > 0 ? (
          <div className="space-y-4">
            {chart("insights-break-glass", "Break-glass uses", [
              { label: "Break-glass uses", color: "#a21caf", values: breakGlass.perDay },
            ])}
            <BreakGlassList uses={breakGlass.uses} />
          </div>
        ) : null}
      </Chart>
      <Chart
        id="insights-failed"
        title="Failed activations"
        summary={
          <>
            {failureSummary(insights)}
            {failed.total > failed.failures.length ? (
              <>
                {" "}
                <a href={failureSearch} className="font-medium text-brand-700 underline">
                  search the audit history for all of them
                </a>
                .
              </>
            ) : null}
          </>
        }
      >
        {failed.total > 0 ? (
          <div className="space-y-4">
            {chart("insights-failed", "Failed activations", [
              { label: "Failed activations", color: "#be123c", values: failed.perDay },
            ])}
            <FailureList failures={failed.failures} />
          </div>
        ) : null}
      </Chart>
    </>
  );
}

/**
 * The auditor's charts over a window of UTC days picked by a GET form (default the last 30). Its own
 * section, for the Audit page or a page of its own (`action`); auditInsights checks the permission.
 */
export async function AuditInsights({
  viewer,
  params,
  action = "/audit/insights",
}: {
  viewer: SessionUser;
  params: Params;
  action?: string;
}) {
  const given = (name: string) => [params[name] ?? []].flat()[0]?.trim() ?? "";
  const input = { from: given(INSIGHTS_PARAMS.from), to: given(INSIGHTS_PARAMS.to) };
  const ours = new Set<string>(Object.values(INSIGHTS_PARAMS));
  const carry = Object.entries(params)
    .filter(([name]) => !ours.has(name))
    .flatMap(([name, value]) => [value ?? []].flat().map((one): [string, string] => [name, one]));
  const { insights, problems } = await auditInsights(viewer, input).then(
    (found) => ({ insights: found, problems: [] as FieldProblem[] }),
    (error: unknown) => {
      if (error instanceof AppError && error.code === "INVALID_INPUT")
        return { insights: null, problems: error.fields };
      throw error;
    },
  );
  return (
    <section aria-labelledby="insights-title" className="mb-8">
      <h2 id="insights-title" className="mb-3 text-lg font-semibold">
        Charts
      </h2>
      {problems.length > 0 ? (
        <div role="alert" className="mb-3 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          <p className="font-medium">No charts for these days: correct them.</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((p) => (
              <li key={`${p.field}: ${p.message}`}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <InsightsForm
        action={action}
        values={insights ? { from: insights.window.from, to: insights.window.to } : input}
        problems={problems}
        carry={carry}
      />
      {insights ? <Charts insights={insights} /> : null}
    </section>
  );
}
