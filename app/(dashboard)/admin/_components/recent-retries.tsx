import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { DataTable, TD } from "@/components/ui/data-table";
import type { RetryOutcome } from "@/lib/access/recent-retries";

const OUTCOME_WORDS: Record<RetryOutcome["outcome"], { label: string; tone: string }> = {
  succeeded: { label: "Succeeded", tone: "text-emerald-800" },
  running: { label: "Running", tone: "text-slate-700" },
  failed: { label: "Failed again", tone: "text-rose-800" },
};

/** What became of the retries of the last day: the outcome lands here (and is announced) as the work finishes. */
export function RecentRetries({ retries }: { retries: RetryOutcome[] }) {
  return (
    <section aria-labelledby="recent-retries" className="mb-8">
      <h2 id="recent-retries" className="mb-3 text-lg font-semibold">
        Recent retries
      </h2>
      <div aria-live="polite">
        {retries.length === 0 ? (
          <p className="text-slate-600">Nothing was retried in the last 24 hours.</p>
        ) : (
          <DataTable
            caption="Retries of the last 24 hours and their outcome, newest first"
            columns={["Retried", "Outcome", "When"]}
          >
            {retries.map((retry) => {
              const words = OUTCOME_WORDS[retry.outcome];
              return (
                <tr key={retry.key} className="border-t border-slate-100" data-testid="retry-outcome">
                  <td className={TD}>
                    {retry.href ? (
                      <Link href={retry.href} className="font-medium text-brand-700 underline">
                        {retry.what}
                      </Link>
                    ) : (
                      retry.what
                    )}
                  </td>
                  <td className={`${TD} max-w-md`}>
                    <span className={`font-medium ${words.tone}`}>{words.label}:</span> {retry.detail}
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <LocalTime iso={retry.retriedAt} />
                    {retry.retriedBy ? (
                      <span className="block text-xs text-slate-500">by {retry.retriedBy}</span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </div>
    </section>
  );
}
