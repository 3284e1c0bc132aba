import Link from "next/link";
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/status-badge";
import { LocalTime } from "@/components/local-time";
import type { AuditInsights, BreakGlassUse, FailedActivation } from "@/lib/audit/insights";
import { describeStatus } from "@/lib/domain/request-state";
import { COUNT } from "./insights-format";
import { DataTable, TD } from "@/components/ui/data-table";

function RequestLink({ id }: { id: string | null }) {
  if (!id) return <>—</>;
  return (
    <Link
      href={`/requests/${id}`}
      aria-label={`Request ${id}`}
      className="font-mono text-xs font-medium whitespace-nowrap text-brand-700 underline"
    >
      {id.slice(0, 8)}
    </Link>
  );
}

/** Rows shown at once; the rest of the list (up to INSIGHTS_LIST_LIMIT) is one click away. */
const SHOWN = 10;

/** The newest rows in a table, and the older ones in a second table behind "Show … more". */
function List<T>(props: {
  caption: string;
  columns: string[];
  items: T[];
  row: (item: T, index: number) => ReactNode;
}) {
  const { caption, columns, items, row } = props;
  const rest = items.slice(SHOWN);
  return (
    <>
      <DataTable caption={caption} columns={columns}>
        {items.slice(0, SHOWN).map(row)}
      </DataTable>
      {rest.length > 0 ? (
        <details className="mt-2">
          <summary className="cursor-pointer text-sm font-medium text-brand-700">Show {rest.length} more</summary>
          <div className="mt-2">
            <DataTable caption={`${caption}, continued`} columns={columns}>
              {rest.map((item, i) => row(item, SHOWN + i))}
            </DataTable>
          </div>
        </details>
      ) : null}
    </>
  );
}

/** Who used break-glass, where and when, newest first, each linked to its request's evidence. */
export function BreakGlassList({ uses }: { uses: BreakGlassUse[] }) {
  return (
    <List
      caption="Break-glass requests, newest first"
      columns={["Requested", "Who", "Role and cluster", "Status now", "Reason", "Request"]}
      items={uses}
      row={(use) => (
        <tr key={use.requestId} className="border-t border-slate-100">
          <td className={`${TD} whitespace-nowrap`}>
            <LocalTime iso={use.requestedAt.toISOString()} />
          </td>
          <td className={TD}>
            {use.requesterName}
            <span className="block text-xs text-slate-600">{use.requesterUpn}</span>
          </td>
          <td className={`${TD} whitespace-nowrap`}>
            {use.roleName} on {use.clusterName}
          </td>
          <td className={TD}>
            <StatusBadge status={use.status} label={describeStatus(use.status)} />
          </td>
          <td className={`${TD} max-w-md break-words`}>{use.justification}</td>
          <td className={TD}>
            <RequestLink id={use.requestId} />
          </td>
        </tr>
      )}
    />
  );
}

/** Each failed activation with the service's reason, newest first; a retried request shows each failure. */
export function FailureList({ failures }: { failures: FailedActivation[] }) {
  return (
    <List
      caption="Failed activations, newest first"
      columns={["Failed", "Requester", "Role and cluster", "Why it failed", "Request"]}
      items={failures}
      row={(failure, i) => (
        <tr key={`${failure.requestId}-${i}`} className="border-t border-slate-100">
          <td className={`${TD} whitespace-nowrap`}>
            <LocalTime iso={failure.failedAt.toISOString()} />
          </td>
          <td className={TD}>{failure.requesterUpn ?? "—"}</td>
          <td className={`${TD} whitespace-nowrap`}>
            {failure.clusterName ? `${failure.roleName} on ${failure.clusterName}` : "—"}
          </td>
          <td className={`${TD} max-w-md break-words text-rose-900`}>{failure.reason ?? "No reason recorded."}</td>
          <td className={TD}>
            <RequestLink id={failure.requestId} />
          </td>
        </tr>
      )}
    />
  );
}

/** Every cluster and role's activations in the window: the exact numbers behind the chart's grey "other" bars. */
export function ActivationTotals({ series }: { series: AuditInsights["activations"]["series"] }) {
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm font-medium text-brand-700">
        Show the totals of all {series.length} roles and clusters
      </summary>
      <div className="mt-2">
        <DataTable caption="Activations by role and cluster, most first" columns={["Role", "Cluster", "Activations"]}>
          {series.map(({ key, total }) => (
            <tr key={`${key.clusterName} ${key.roleName}`} className="border-t border-slate-100">
              <td className={TD}>{key.roleName}</td>
              <td className={TD}>{key.clusterName}</td>
              <td className={`${TD} tabular-nums`}>{COUNT.format(total)}</td>
            </tr>
          ))}
        </DataTable>
      </div>
    </details>
  );
}
