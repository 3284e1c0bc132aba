import { Suspense } from "react";
import { LocalTime } from "@/components/local-time";
import { approverCoverageView } from "@/lib/access/approver-coverage";
import type { CoverageCode } from "@/lib/config/approver-coverage";
import type { SessionUser } from "@/lib/context";

const TITLES: Record<CoverageCode, string> = {
  "approver-group-unknown": "Approver group does not exist",
  "approver-group-empty": "Approver group is empty",
  "approver-group-unreadable": "Approver group cannot be read",
  "too-few-approvers": "Too few approvers",
  "approvers-are-requesters": "Approvers are all requesters",
  "escalation-group-unknown": "Escalation group does not exist",
  "escalation-group-empty": "Escalation group is empty",
  "escalation-group-unreadable": "Escalation group cannot be read",
  "review-escalates-to-nobody": "Overdue break-glass reviews reach nobody",
  "break-glass-notifies-nobody": "Break-glass alerts reach nobody",
};

/**
 * Whether each catalog role can be approved, escalated and heard with the members its groups have
 * now: the warnings of `npm run catalog:check -- --live`. Members come from Graph, so the rest of the
 * page does not wait for them.
 */
export function ApproverCoverage({ viewer }: { viewer: SessionUser }) {
  return (
    <section aria-labelledby="approver-coverage" className="mb-8">
      <h2 id="approver-coverage" className="mb-1 text-lg font-semibold">
        Approver coverage
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        Whether each role&apos;s approvers can give the approvals it needs to any requester (nobody approves their own
        request), and whether break-glass alerts and escalations reach someone. Members are read from Entra ID at most
        once a minute.
      </p>
      <Suspense fallback={<p className="text-slate-600">Reading the groups&apos; members from Entra ID…</p>}>
        <CoverageWarnings viewer={viewer} />
      </Suspense>
    </section>
  );
}

async function CoverageWarnings({ viewer }: { viewer: SessionUser }) {
  const coverage = await approverCoverageView(viewer);
  if (coverage.failure) return <p className="text-rose-800">{coverage.failure} Reload the page to try again.</p>;
  const checked = (
    <>
      Members read <LocalTime iso={coverage.checkedAt} />.
    </>
  );
  if (coverage.warnings.length === 0) {
    return <p className="text-slate-600">Every role can be approved and heard. {checked}</p>;
  }
  return (
    <>
      <p className="mb-2 text-sm text-slate-600">
        {coverage.warnings.length} warning{coverage.warnings.length === 1 ? "" : "s"}. {checked}
      </p>
      <ul className="space-y-3">
        {coverage.warnings.map((warning, index) => (
          <li
            key={`${warning.cluster}/${warning.role}/${warning.code}/${index}`}
            data-coverage-code={warning.code}
            className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm [overflow-wrap:anywhere]"
          >
            <p className="font-medium">
              {TITLES[warning.code]}: <span className="font-mono">{`${warning.cluster}/${warning.role}`}</span>
            </p>
            <p className="mt-1">{warning.problem}</p>
            <p className="mt-1">
              <span className="font-medium">Fix: </span>
              {warning.fix}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
