import type { Metadata } from "next";
import { ComingSoon, PageHeader } from "@/components/page-header";
import { listRecentAuditEvents } from "@/lib/audit/queries";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Audit" };

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export default async function AuditPage() {
  const user = await requirePermission("audit.read", "/audit");
  const events = await listRecentAuditEvents(user);
  return (
    <>
      <PageHeader title="Audit">
        <p>The history of every sign-in, request, decision and access change. Nobody can change or delete it.</p>
      </PageHeader>
      <section aria-labelledby="recent-events" className="mb-8">
        <h2 id="recent-events" className="mb-3 text-lg font-semibold">
          Latest events
        </h2>
        {events.length === 0 ? (
          <p className="text-slate-600">No events yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">The {events.length} most recent audit events, newest first</caption>
              <thead className="bg-slate-100 text-slate-700">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    #
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Time (UTC)
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Event
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Actor
                  </th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.seq} className="border-t border-slate-100">
                    <td className="px-3 py-2 tabular-nums text-slate-500">{event.seq}</td>
                    <td className="px-3 py-2 tabular-nums">{time.format(event.occurredAt)}</td>
                    <td className="px-3 py-2 font-mono text-xs">{event.type}</td>
                    <td className="px-3 py-2">{event.actorUpn ?? "system"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ComingSoon
        title="This page will also hold"
        items={[
          "Search by time, actor, requester, cluster, role, event type, request id and text, with keyset paging.",
          "Each request's timeline: approvals with the approver's authentication, provider calls, the effective end of access.",
          "Chain verification that proves no event was altered, and CSV / JSON Lines exports and evidence packs.",
        ]}
      />
    </>
  );
}
