import { ActionButtonForm } from "@/components/action-button-form";
import { LocalTime } from "@/components/local-time";
import type { DriftView } from "@/lib/access/grant-queries";
import { resolveDriftAction } from "../actions";
import { CheckDriftForm } from "./check-drift-form";
import { DataTable, TD } from "@/components/ui/data-table";
import { GRANT_KIND_WORDS } from "./grant-kind";

const KIND_WORDS: Record<DriftView["kind"], { title: string; explains: string }> = {
  unexplained: { title: "Unexplained access", explains: "present at the service, but no active grant explains it" },
  missing: { title: "Missing grant", explains: "an active grant whose access is gone at the service" },
};

/** Where Entra ID or Azure disagree with the grant ledger, and what to do about each finding. */
export function DriftFindings({ findings }: { findings: DriftView[] }) {
  return (
    <section aria-labelledby="drift" className="mb-8">
      <h2 id="drift" className="mb-1 text-lg font-semibold">
        Drift
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        A check compares every binding in the catalog with the grants on record. It runs on a schedule; run it now after
        a change made outside AKS JIT.
      </p>
      <div className="mb-3">
        <CheckDriftForm />
      </div>
      {findings.length === 0 ? (
        <p className="text-slate-600">No drift found at the last check.</p>
      ) : (
        <DataTable caption="Open drift findings, oldest first" columns={["Finding", "Who", "Grant", "Seen", "Resolve"]}>
          {findings.map((finding) => {
            const who = finding.userPrincipalName ?? finding.principalId;
            const kind = KIND_WORDS[finding.kind];
            return (
              <tr key={finding.id} className="border-t border-slate-100" data-finding-kind={finding.kind}>
                <td className={TD}>
                  <span className="font-medium">{kind.title}</span>
                  <span className="block text-xs text-slate-600">{kind.explains}</span>
                </td>
                <td className={TD}>
                  <span className="break-all">{who}</span>
                  {finding.userPrincipalName ? (
                    <span className="block font-mono text-xs text-slate-500">{finding.principalId}</span>
                  ) : null}
                </td>
                <td className={TD}>
                  {GRANT_KIND_WORDS[finding.grantKind]}
                  <span className="block font-mono text-xs break-all text-slate-500">{finding.bindingKey}</span>
                  {finding.endAt ? (
                    <span className="block text-xs text-slate-600">
                      ends <LocalTime iso={finding.endAt} />
                    </span>
                  ) : null}
                </td>
                <td className={`${TD} whitespace-nowrap text-xs`}>
                  first <LocalTime iso={finding.detectedAt} />
                  <span className="block">
                    last <LocalTime iso={finding.lastSeenAt} />
                  </span>
                </td>
                <td className={TD}>
                  {finding.kind === "unexplained" ? (
                    <ActionButtonForm
                      action={resolveDriftAction.bind(null, finding.id, "remove")}
                      label="Remove"
                      pendingLabel="Removing…"
                      context={`the unexplained access of ${who}`}
                      confirm={{
                        question: `Remove this access from ${who}?`,
                        yes: "Yes, remove it",
                        no: "Keep it",
                      }}
                    />
                  ) : (
                    <ActionButtonForm
                      action={resolveDriftAction.bind(null, finding.id, "reapply")}
                      label="Re-apply"
                      pendingLabel="Re-applying…"
                      context={`the missing grant of ${who}`}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
