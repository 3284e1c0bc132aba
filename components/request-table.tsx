import Link from "next/link";
import type { CatalogContext } from "@/lib/access/approver-context";
import type { RequestView } from "@/lib/access/request-queries";
import { EnvironmentBadges } from "./catalog-badges";
import { describeDuration } from "@/lib/domain/duration";
import { LocalTime } from "./local-time";
import { StatusBadge } from "./status-badge";
import { DataTable } from "@/components/ui/data-table";

function age(iso: string, now: Date) {
  const minutes = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 60_000));
  return minutes < 1 ? "just now" : `${describeDuration(minutes)} ago`;
}

/** Requests as a table; `variant` picks the columns that matter to requesters or approvers. */
export function RequestTable({
  requests,
  caption,
  variant,
  now,
  catalogOf,
}: {
  requests: RequestView[];
  caption: string;
  variant: "mine" | "inbox";
  now: Date;
  /** the catalog's environment and risk per request id, for approvers (one link per row: the request) */
  catalogOf?: Record<string, CatalogContext>;
}) {
  const isInbox = variant === "inbox";
  const columns = [
    ...(isInbox ? ["Requester"] : []),
    "Cluster / role",
    "Duration",
    ...(isInbox ? ["Justification"] : []),
    "Ticket",
    isInbox ? "Age" : "Requested",
    "Status",
  ];
  return (
    <DataTable caption={caption} columns={columns}>
      {requests.map((r) => (
        <tr key={r.id} className="border-t border-slate-100 align-top">
          {isInbox ? (
            <td className="px-3 py-2">
              {r.requester.displayName}
              <span className="block text-xs text-slate-500">{r.requester.userPrincipalName}</span>
            </td>
          ) : null}
          <td className="px-3 py-2">
            <Link href={`/requests/${r.id}`} className="font-medium text-brand-700 underline">
              {r.roleName} on {r.clusterName}
            </Link>
            {r.isBreakGlass ? <span className="ml-2 text-xs font-semibold text-rose-700">break-glass</span> : null}
            {catalogOf?.[r.id] ? (
              <span className="mt-1 flex flex-wrap gap-1">
                <EnvironmentBadges environment={catalogOf[r.id]!.environment} risk={catalogOf[r.id]!.risk} />
              </span>
            ) : null}
          </td>
          <td className="px-3 py-2 whitespace-nowrap">{describeDuration(r.durationMinutes)}</td>
          {isInbox ? <td className="max-w-xs px-3 py-2">{r.justification}</td> : null}
          <td className="px-3 py-2">{r.ticket ?? "—"}</td>
          <td className="px-3 py-2 whitespace-nowrap">
            {isInbox ? age(r.createdAt, now) : <LocalTime iso={r.createdAt} />}
          </td>
          <td className="px-3 py-2">
            <StatusBadge status={r.status} label={r.statusLabel} />
            {isInbox && !r.canDecide && r.cannotDecideReason ? (
              <span className="mt-1 block text-xs text-slate-600">{r.cannotDecideReason}</span>
            ) : null}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
