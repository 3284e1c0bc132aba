import Form from "next/form";
import Link from "next/link";
import type { FieldProblem } from "@/lib/errors";

/**
 * The charts' own URL parameters: not `from` and `to`, which the Audit page's search already uses
 * (as times), so that both can share one page and one URL.
 */
export const INSIGHTS_PARAMS = { from: "insightsFrom", to: "insightsTo" } as const;

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600";

export function hrefWith(action: string, params: Array<[string, string]>) {
  const query = new URLSearchParams(params).toString();
  return query ? `${action}?${query}` : action;
}

/**
 * The window as a GET form: works without JavaScript and gives a URL to share. Whatever else the URL
 * holds (the Audit page's search) goes along unchanged; the key remounts the uncontrolled fields when
 * the URL changes.
 */
export function InsightsForm(props: {
  action: string;
  /** the days as given, or as defaulted */
  values: { from: string; to: string };
  problems: FieldProblem[];
  /** the URL's other parameters */
  carry: Array<[string, string]>;
}) {
  const { action, values, problems, carry } = props;
  const field = (name: "from" | "to", label: string, hint: string) => {
    const id = `insights-${name}`;
    const problem = problems.find((p) => p.field === name)?.message;
    return (
      <div>
        <label htmlFor={id} className="block text-sm font-semibold text-slate-800">
          {label}
        </label>
        <input
          id={id}
          name={INSIGHTS_PARAMS[name]}
          type="date"
          defaultValue={values[name]}
          className={inputClass}
          aria-invalid={problem ? true : undefined}
          aria-describedby={[`${id}-hint`, problem ? `${id}-error` : null].filter(Boolean).join(" ")}
        />
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
        {problem ? (
          <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
            {problem}
          </p>
        ) : null}
      </div>
    );
  };
  return (
    <Form
      key={hrefWith(action, [...carry, ["from", values.from], ["to", values.to]])}
      action={action}
      aria-label="Days the charts cover"
      className="flex flex-wrap items-start gap-4"
      noValidate
    >
      {carry.map(([name, value], i) => (
        <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
      ))}
      {field("from", "From (UTC)", "The first day.")}
      {field("to", "To (UTC)", "The last day, included.")}
      <div className="flex items-center gap-3 pt-6">
        <button type="submit" className="rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-900">
          Show
        </button>
        <Link
          href={hrefWith(action, carry)}
          className="rounded-md border border-slate-400 px-4 py-2 font-medium text-slate-800 hover:bg-slate-100"
        >
          Last 30 days
        </Link>
      </div>
    </Form>
  );
}
