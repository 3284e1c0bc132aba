import Link from "next/link";
import { ACTIVITY_EVENT_TYPE, describeActivityEvent } from "@/components/activity/activity-words";
import { ExportLinks } from "./export-links";
import type { AuditSearchEvent, AuditSearchPage } from "@/lib/audit/search";
import { auditHref, filtersOf, queryString, type SearchInput } from "../search-query";
import { DataTable } from "@/components/ui/data-table";
import { LocalTime } from "@/components/local-time";

const COUNT = new Intl.NumberFormat("en-GB");
const td = "px-3 py-2";
const link = "font-medium text-brand-700 underline";

/** A row written in place (not a component), so that the table names each cell on a phone. */
function eventRow(event: AuditSearchEvent) {
  return (
    <tr key={event.seq} className="border-t border-slate-100 align-top">
      <td className={`${td} tabular-nums text-slate-500`}>{event.seq}</td>
      <td className={`${td} tabular-nums whitespace-nowrap`}>
        <LocalTime iso={event.occurredAt} />
      </td>
      <td className={`${td} font-mono text-xs`}>{event.type}</td>
      <td className={td}>{event.actorUpn ?? "system"}</td>
      <td className={td}>{event.requesterUpn ?? "—"}</td>
      <td className={`${td} whitespace-nowrap`}>
        {event.clusterName ? `${event.roleName ?? "?"} on ${event.clusterName}` : "—"}
      </td>
      <td className={td}>
        {event.requestId ? (
          <Link
            href={`/audit/requests/${event.requestId}`}
            aria-label={`Timeline of request ${event.requestId}`}
            className={`${link} font-mono text-xs whitespace-nowrap`}
          >
            {event.requestId.slice(0, 8)}
          </Link>
        ) : (
          "—"
        )}
      </td>
      <td className={td}>
        {event.type === ACTIVITY_EVENT_TYPE ? <p className="mb-1">{describeActivityEvent(event.data)}</p> : null}
        <details>
          <summary className="cursor-pointer text-brand-700">Data</summary>
          <pre className="mt-1 max-w-md text-xs break-all whitespace-pre-wrap">
            {JSON.stringify(event.data, null, 2)}
          </pre>
        </details>
      </td>
    </tr>
  );
}

/**
 * One page of a search, newest first, and where to go from it: older events by keyset (the cursor
 * the search gave; there are no page numbers to jump to), back to the newest, or the whole result as
 * a file.
 */
export function SearchResults({ input, page }: { input: SearchInput; page: AuditSearchPage }) {
  const exportHref = (format: string) => `/api/v1/audit/export?${queryString({ format, ...filtersOf(input) })}`;
  const summary = page.isCountExact
    ? `${COUNT.format(page.count)} ${page.count === 1 ? "event matches" : "events match"}`
    : `More than ${COUNT.format(page.count)} events match`;
  return (
    <>
      <div className="mb-3 flex flex-wrap items-baseline gap-x-6 gap-y-2">
        <p id="result-count" className="font-semibold">
          {summary}
          {page.isCountExact ? null : (
            <>
              {" "}
              <Link href={auditHref({ ...input, count: "exact" })} className={`${link} font-normal`}>
                Count them all
              </Link>
            </>
          )}
        </p>
        <ExportLinks
          hrefs={{ csv: exportHref("csv"), jsonl: exportHref("jsonl") }}
          expected={page.count}
          isExact={page.isCountExact}
        />
        <p className="text-sm text-slate-600">
          Exports hold every matching event, not only this page, and stream as they are read: a large one shows its
          progress here.
        </p>
      </div>
      {page.events.length === 0 ? (
        <p className="text-slate-600">{page.count === 0 ? "No events match these filters." : "No older events."}</p>
      ) : (
        <DataTable
          caption={`${summary}; ${input.cursor ? "older" : "the newest"} ${page.events.length} shown, newest first`}
          label="Matching audit events"
          columns={["#", "Time", "Event", "Actor", "Requester", "Role and cluster", "Request", "Details"]}
        >
          {page.events.map(eventRow)}
        </DataTable>
      )}
      {input.cursor || page.nextCursor ? (
        <nav aria-label="Pages of events" className="mt-3 flex gap-6 text-sm">
          {input.cursor ? (
            <Link href={auditHref({ ...input, cursor: undefined })} className={link}>
              ← Newest
            </Link>
          ) : null}
          {page.nextCursor ? (
            <Link href={auditHref({ ...input, cursor: page.nextCursor })} className={link}>
              Older events →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
