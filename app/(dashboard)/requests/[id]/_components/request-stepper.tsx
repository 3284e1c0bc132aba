import { LocalTime } from "@/components/local-time";
import { currentStep, type ProgressStep } from "@/lib/domain/request-progress";

const GRANT_WORDS: Record<string, string> = {
  entraPimGroup: "Entra PIM group",
  entraGroup: "Entra group membership",
  armPim: "Azure PIM role",
  armRoleAssignment: "Azure role assignment",
};

const MARKS: Record<ProgressStep["state"], { mark: string; tone: string; words: string }> = {
  done: { mark: "✓", tone: "border-emerald-600 bg-emerald-600 text-white", words: "done" },
  current: { mark: "●", tone: "border-sky-700 bg-white text-sky-700", words: "now" },
  upcoming: { mark: "", tone: "border-slate-400 bg-white text-slate-500", words: "not yet" },
  stopped: { mark: "✕", tone: "border-rose-700 bg-rose-700 text-white", words: "stopped" },
};

/**
 * approved → applying (each grant) → active → ended, with the time each was reached. The status
 * line is a polite live region: when the page refreshes itself (LiveRefresh), a screen reader hears
 * the new step without losing its place.
 */
export function RequestStepper({ steps }: { steps: ProgressStep[] }) {
  const now = currentStep(steps);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <p aria-live="polite" aria-atomic="true" className="mb-3 font-medium" data-testid="progress-status">
        Status: {now.label}
        {now.at ? (
          <>
            {" "}
            since <LocalTime iso={now.at} />
          </>
        ) : null}
      </p>
      <ol className="flex flex-col gap-3 sm:flex-row sm:gap-0">
        {steps.map((step) => {
          const mark = MARKS[step.state];
          return (
            <li
              key={step.key}
              className="flex gap-2 sm:flex-1 sm:flex-col"
              data-step={step.key}
              data-state={step.state}
              aria-current={step.state === "current" ? "step" : undefined}
            >
              <span
                aria-hidden="true"
                className={`flex size-6 shrink-0 items-center justify-center rounded-full border-2 text-xs font-bold ${mark.tone}`}
              >
                {mark.mark}
              </span>
              <span>
                <span className="font-semibold">{step.label}</span>
                <span className="sr-only"> ({mark.words})</span>
                {step.at ? (
                  <span className="block text-xs text-slate-600">
                    <LocalTime iso={step.at} />
                  </span>
                ) : null}
                {step.grants.length > 0 ? (
                  <ul className="mt-1 text-xs text-slate-700">
                    {step.grants.map((grant) => (
                      <li key={grant.kind}>
                        {GRANT_WORDS[grant.kind] ?? grant.kind}: {grant.isApplied ? "applied" : "not yet applied"}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
