import type { ReactNode } from "react";
import { describeActivityEvent } from "@/components/activity/activity-words";
import { LocalTime } from "@/components/local-time";
import type { PackEvent } from "@/lib/audit/evidence-check";
import { DataTable, TD as td } from "@/components/ui/data-table";

type Data = Record<string, unknown>;
const text = (data: Data, key: string) => (typeof data[key] === "string" && data[key] ? (data[key] as string) : null);
const record = (value: unknown): Data | null =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Data) : null;

/** How the acting person had authenticated, and where from: what an auditor asks of an approval. */
function Authentication({ data }: { data: Data }) {
  const auth = record(data.authentication);
  const methods = Array.isArray(auth?.methods) ? (auth.methods as string[]) : [];
  const authTime = auth ? text(auth, "authTime") : null;
  const from = [text(data, "channel") === "api" ? "API" : text(data, "channel") ? "dashboard" : null, text(data, "ip")]
    .filter(Boolean)
    .join(" from ");
  return (
    <>
      {auth ? (
        <p>
          Authenticated {auth.via === "bearer" ? "by access token" : "by dashboard session"}
          {authTime ? (
            <>
              {" "}
              at <LocalTime iso={authTime} />
            </>
          ) : null}
          {methods.length > 0 ? ` · methods: ${methods.join(", ")}` : null}
        </p>
      ) : null}
      {from ? <p className="text-slate-600">Via {from}</p> : null}
    </>
  );
}

/** What the event adds: the service call and its request id, a comment or reason, a new end. */
function Details({ event }: { event: PackEvent }) {
  const data = record(event.data) ?? {};
  const parts: ReactNode[] = [];
  if (event.type === "provider.call") {
    parts.push(
      <p key="call" className="font-mono text-xs break-all">
        {text(data, "method")} {text(data, "path")} → {typeof data.status === "number" ? data.status : "no response"}
        {typeof data.durationMs === "number" ? ` in ${data.durationMs} ms` : null}
      </p>,
      <p key="id">
        {data.service === "arm" ? "x-ms-request-id" : "request-id"}:{" "}
        <code className="break-all">{text(data, "providerRequestId") ?? "none returned"}</code>
      </p>,
    );
    if (text(data, "error"))
      parts.push(
        <p key="error" className="text-rose-800">
          {text(data, "error")}
        </p>,
      );
  }
  for (const key of ["comment", "reason", "note"] as const) {
    if (text(data, key)) parts.push(<p key={key}>“{text(data, key)}”</p>);
  }
  if (event.type === "break_glass.reviewed") {
    const ticket = text(data, "ticket");
    const noTicket = text(data, "noTicketReason");
    if (ticket) parts.push(<p key="ticket">Late ticket: {ticket}</p>);
    if (noTicket) parts.push(<p key="no-ticket">No ticket exists: {noTicket}</p>);
    if (data.wasOverdue === true) parts.push(<p key="overdue">Reviewed after it was due.</p>);
  }
  if (event.type === "activity.summarised") {
    parts.push(
      <p key="activity" data-testid="activity-event">
        {describeActivityEvent(data)}
      </p>,
    );
  }
  if (text(data, "newEnd")) {
    parts.push(
      <p key="end">
        New end: <LocalTime iso={text(data, "newEnd")!} />
      </p>,
    );
  }
  if (event.actorId) parts.push(<Authentication key="auth" data={data} />);
  return parts.length > 0 ? <div className="space-y-0.5">{parts}</div> : <span className="text-slate-500">—</span>;
}

function stateChange(event: PackEvent) {
  const data = record(event.data);
  const from = data && "to" in data ? (data.from ?? "new") : null;
  return from === null ? "—" : `${String(from)} → ${String(data!.to)}`;
}

/** Every event of one request, oldest first, as the chain holds it. */
export function TrailTable({ events }: { events: PackEvent[] }) {
  return (
    <DataTable
      caption="Every audit event of this request, oldest first"
      label="Audit events of this request"
      columns={["#", "Time", "Event", "Actor", "State", "Details", "Hash"]}
    >
      {events.map((event) => (
        <tr key={event.seq} className="border-t border-slate-100">
          <td className={`${td} tabular-nums text-slate-500`}>{event.seq}</td>
          <td className={`${td} whitespace-nowrap tabular-nums`}>
            <LocalTime iso={new Date(event.occurredAt).toISOString()} />
          </td>
          <td className={`${td} font-mono text-xs`}>{event.type}</td>
          <td className={td}>{event.actorUpn ?? (record(event.data)?.actorKind === "policy" ? "policy" : "system")}</td>
          <td className={`${td} whitespace-nowrap`}>{stateChange(event)}</td>
          <td className={td}>
            <Details event={event} />
          </td>
          <td className={`${td} font-mono text-xs`}>
            <span aria-label={`hash ${event.hash}`}>{event.hash.slice(0, 12)}…</span>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
