import type { Metadata } from "next";
import { ComingSoon, PageHeader } from "@/components/page-header";
import { listRecentAuditEvents } from "@/lib/audit/queries";
import { latestVerification } from "@/lib/audit/verification";
import { requirePermission } from "@/lib/auth/current-user";
import { ChainIntegrity } from "./_components/chain-integrity";

export const metadata: Metadata = { title: "Audit" };

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export default async function AuditPage() {
  const user = await requirePermission("audit.read", "/audit");
  const [events, last] = await Promise.all([listRecentAuditEvents(user), latestVerification(user)]);
  return (
    <>
      <PageHeader title="Audit">
        <p>The history of every sign-in, request, decision and access change. Nobody can change or delete it.</p>
      </PageHeader>
      <section aria-labelledby="integrity" className="mb-8">
        <h2 id="integrity" className="mb-3 text-lg font-semibold">
          Integrity
        </h2>
        <p className="mb-3 text-sm text-slate-700">
          Every event is chained to the one before it by a SHA-256 hash, and the database refuses changes and deletions.
          A change made behind the app&apos;s back breaks the chain at that event.
        </p>
        <ChainIntegrity last={last} />
      </section>
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
          "CSV / JSON Lines exports of any search, and evidence packs for one request that can be verified offline.",
        ]}
      />
    </>
  );
}
