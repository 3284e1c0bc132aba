import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { StatusBadge } from "@/components/status-badge";
import { DataTable, TD } from "@/components/ui/data-table";
import { LocalTime } from "@/components/local-time";
import { listBreakGlassToReview } from "@/lib/access/break-glass-reviews";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Break-glass review" };

export default async function BreakGlassReviewPage() {
  const user = await requirePermission("break_glass.review", "/approvals/break-glass");
  const requests = await listBreakGlassToReview(user);
  return (
    <>
      <PageHeader title="Break-glass review">
        <p>
          Break-glass access was applied without approval; each use is reviewed afterwards by an approver of the role or
          an auditor, never by the person who used it. Oldest first; overdue reviews are escalated.
        </p>
      </PageHeader>
      {requests.length === 0 ? (
        <p className="text-slate-600">Nothing is waiting for review.</p>
      ) : (
        <DataTable
          caption="Break-glass access not yet reviewed, oldest first"
          columns={["Requester", "Access", "Filed", "Justification", "Ticket", "Review", "Status"]}
        >
          {requests.map((r) => (
            <tr key={r.id} className="border-t border-slate-200" data-testid="break-glass-row">
              <td className={TD}>
                {r.requester.displayName}
                <span className="block text-xs text-slate-600">{r.requester.userPrincipalName}</span>
              </td>
              <td className={TD}>
                {r.roleName} on {r.clusterName}
              </td>
              <td className={TD}>
                <LocalTime iso={r.filedAt} />
              </td>
              <td className={`${TD} max-w-xs whitespace-pre-wrap [overflow-wrap:anywhere]`}>
                {r.justification || "—"}
              </td>
              <td className={TD}>
                {r.isTicketOwed ? <span className="font-medium text-amber-800">Owed</span> : "Given"}
              </td>
              <td className={TD}>
                <span className={r.isOverdue ? "font-medium text-rose-800" : undefined}>
                  {r.isOverdue ? "Overdue since " : "Due "}
                  <LocalTime iso={r.dueAt} />
                </span>
                <span className="block">
                  {r.canReview ? (
                    <Link href={`/requests/${r.id}#review`} className="font-medium text-brand-700 underline">
                      Review {r.requester.displayName}&apos;s {r.roleName} on {r.clusterName}
                    </Link>
                  ) : (
                    <Link href={`/requests/${r.id}`} className="text-brand-700 underline">
                      Open
                      <span className="sr-only">
                        {" "}
                        {r.requester.displayName}&apos;s {r.roleName} on {r.clusterName}
                      </span>
                    </Link>
                  )}
                </span>
                {r.cannotReviewReason ? (
                  <span className="block text-xs text-slate-600">{r.cannotReviewReason}</span>
                ) : null}
              </td>
              <td className={TD}>
                <StatusBadge status={r.status} label={r.statusLabel} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
