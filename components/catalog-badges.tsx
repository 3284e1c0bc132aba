import type { CatalogContext } from "@/lib/access/approver-context";

const RISK_TONES: Record<NonNullable<CatalogContext["risk"]>, string> = {
  low: "bg-emerald-100 text-emerald-900 border-emerald-300",
  medium: "bg-amber-100 text-amber-900 border-amber-300",
  high: "bg-orange-100 text-orange-900 border-orange-300",
  critical: "bg-rose-100 text-rose-900 border-rose-400",
};

const BADGE = "inline-block rounded-full border px-2 py-0.5 text-xs font-semibold";

/** The cluster's environment and risk from the catalog, as badges beside the status. */
export function EnvironmentBadges({ environment, risk }: Pick<CatalogContext, "environment" | "risk">) {
  return (
    <>
      {environment ? (
        <span
          data-testid="environment"
          className={`${BADGE} ${
            /^prod/i.test(environment)
              ? "border-rose-300 bg-rose-50 text-rose-900"
              : "border-slate-300 bg-slate-100 text-slate-800"
          }`}
        >
          <span className="sr-only">Environment: </span>
          {environment}
        </span>
      ) : null}
      {risk ? (
        <span data-testid="risk" className={`${BADGE} ${RISK_TONES[risk]}`}>
          {risk} risk
        </span>
      ) : null}
    </>
  );
}

/** The ticket, as a link to the catalog's ticket system when it names one. */
export function TicketLink({ ticket, url }: { ticket: string; url: string | null }) {
  if (!url) return <>{ticket}</>;
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer"
      className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900"
    >
      {ticket}
      <span className="sr-only"> (opens the ticket in a new tab)</span>
    </a>
  );
}
