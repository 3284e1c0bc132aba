import Link from "next/link";
import type { RequestView } from "@/lib/access/queries";
import { describeDuration } from "@/lib/domain/duration";
import { StatusBadge } from "./status-badge";
import { ScrollRegion } from "@/components/scroll-region";

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

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
}: {
  requests: RequestView[];
  caption: string;
  variant: "mine" | "inbox";
  now: Date;
}) {
  return (
    <ScrollRegion label={caption} className="rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-slate-700">
          <tr>
            {variant === "inbox" ? (
              <th scope="col" className="px-3 py-2 font-medium">
                Requester
              </th>
            ) : null}
            <th scope="col" className="px-3 py-2 font-medium">
              Cluster / role
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Duration
            </th>
            {variant === "inbox" ? (
              <th scope="col" className="px-3 py-2 font-medium">
                Justification
              </th>
            ) : null}
            <th scope="col" className="px-3 py-2 font-medium">
              Ticket
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              {variant === "inbox" ? "Age" : "Requested (UTC)"}
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 align-top">
              {variant === "inbox" ? (
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
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{describeDuration(r.durationMinutes)}</td>
              {variant === "inbox" ? <td className="max-w-xs px-3 py-2">{r.justification}</td> : null}
              <td className="px-3 py-2">{r.ticket ?? "—"}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                {variant === "inbox" ? age(r.createdAt, now) : time.format(new Date(r.createdAt))}
              </td>
              <td className="px-3 py-2">
                <StatusBadge status={r.status} label={r.statusLabel} />
                {variant === "inbox" && !r.canDecide && r.cannotDecideReason ? (
                  <span className="mt-1 block text-xs text-slate-600">{r.cannotDecideReason}</span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
