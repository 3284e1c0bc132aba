import { describeActivityEvent } from "@/components/activity/activity-words";
import { LocalTime } from "@/components/local-time";
import type { requestTimeline } from "@/lib/access/request-queries";
import { describeDuration } from "@/lib/domain/duration";

type TimelineEvent = Awaited<ReturnType<typeof requestTimeline>>[number];

const EVENT_WORDS: Record<string, string> = {
  "request.created": "Requested",
  "request.approval_added": "Approval added",
  "request.approved": "Approved",
  "request.denied": "Denied",
  "request.cancelled": "Cancelled",
  "request.timed_out": "Timed out",
  "request.scheduled": "Scheduled",
  "request.activating": "Activation started",
  "request.activated": "Access applied",
  "request.activation_failed": "Activation failed",
  "request.activation_retried": "Activation retried",
  "request.expired": "Access ended",
  "request.deactivated": "Ended early",
  "request.revoked": "Revoked",
  "request.extended": "Extended",
  "access.removal_deferred": "Removal deferred by PIM",
  "break_glass.reviewed": "Break-glass reviewed",
  "activity.summarised": "Activity summarised",
};

const SERVICE_WORDS: Record<string, string> = { graph: "Microsoft Graph", arm: "Azure Resource Manager" };

function eventTitle(event: TimelineEvent) {
  if (event.type !== "provider.call") return EVENT_WORDS[event.type] ?? event.type;
  const service = SERVICE_WORDS[String(event.data.service)] ?? "Service";
  return `${service} call${typeof event.data.operation === "string" ? ` (${event.data.operation})` : ""}`;
}

type Names = (text: string) => string;

/** What the event adds in words: a comment, a reason, a new end, signed-out sessions, a service's answer. */
function EventDetail({ event, names }: { event: TimelineEvent; names: Names }) {
  const { data } = event;
  const text = (key: string) => (typeof data[key] === "string" && data[key] ? names(data[key] as string) : null);
  if (event.type === "provider.call") {
    const status = typeof data.status === "number" ? data.status : "no response";
    return (
      <p className="mt-0.5 font-mono text-xs break-all text-slate-600">
        {text("method")} {text("path")} → {status}
        {text("error") ? <span className="block text-rose-800">{text("error")}</span> : null}
      </p>
    );
  }
  if (event.type === "access.removal_deferred" && text("notBefore")) {
    return (
      <p className="mt-0.5 text-slate-700">
        PIM keeps an assignment for at least 5 minutes; removed at <LocalTime iso={text("notBefore")!} />.
      </p>
    );
  }
  if (event.type === "break_glass.reviewed") {
    return (
      <p className="mt-0.5 text-slate-700">
        {text("note") ? <>“{text("note")}”</> : null}
        {text("ticket") ? ` Late ticket: ${text("ticket")}.` : null}
        {text("noTicketReason") ? ` No ticket exists: ${text("noTicketReason")}.` : null}
      </p>
    );
  }
  if (event.type === "activity.summarised") {
    return <p className="mt-0.5 text-slate-700">{describeActivityEvent(data)}</p>;
  }
  if (event.type === "request.activation_failed" && text("reason")) {
    return <p className="mt-0.5 text-rose-800">{text("reason")}</p>;
  }
  if (event.type === "request.revoked") {
    return (
      <p className="mt-0.5 text-slate-700">
        {text("reason") ? <>“{text("reason")}”</> : null}
        {data.sessionsRevoked === true ? " Sign-in sessions revoked." : null}
      </p>
    );
  }
  if (event.type === "request.extended" && text("newEnd")) {
    const extra = typeof data.extraMinutes === "number" ? `by ${describeDuration(data.extraMinutes)} ` : "";
    return (
      <p className="mt-0.5 text-slate-700">
        {extra}until <LocalTime iso={text("newEnd")!} />
      </p>
    );
  }
  if (event.type === "request.deactivated" && data.sessionsRevoked === true) {
    return <p className="mt-0.5 text-slate-700">Sign-in sessions revoked.</p>;
  }
  return text("comment") ? <p className="mt-0.5 text-slate-700">“{text("comment")}”</p> : null;
}

function TimelineEntry({ event, names }: { event: TimelineEvent; names: Names }) {
  return (
    <>
      <span className="font-medium">{eventTitle(event)}</span>{" "}
      <span className="text-slate-600">
        <LocalTime iso={event.occurredAt} /> ·{" "}
        {event.actorUpn ?? (event.data.actorKind === "policy" ? "by policy" : "system")}
      </span>
      <EventDetail event={event} names={names} />
    </>
  );
}

/** Consecutive events, with each run of provider calls as one group (folded away for requesters). */
function runsOf(events: TimelineEvent[]): Array<TimelineEvent | TimelineEvent[]> {
  const runs: Array<TimelineEvent | TimelineEvent[]> = [];
  for (const event of events) {
    const last = runs.at(-1);
    if (event.type !== "provider.call") runs.push(event);
    else if (Array.isArray(last)) last.push(event);
    else runs.push([event]);
  }
  return runs;
}

/**
 * The request's events in the order they happened. Requesters see each run of Graph and ARM calls
 * folded into one line they may open; auditors and admins, who read them as evidence, see them all.
 */
export function RequestTimeline({
  events,
  names = (text) => text,
  isProviderCallsFolded = false,
}: {
  events: TimelineEvent[];
  names?: Names;
  isProviderCallsFolded?: boolean;
}) {
  return (
    <ol className="space-y-2 border-l-2 border-slate-200 pl-4 text-sm">
      {runsOf(events).map((run) =>
        !Array.isArray(run) ? (
          <li key={run.seq}>
            <TimelineEntry event={run} names={names} />
          </li>
        ) : isProviderCallsFolded ? (
          <li key={run[0]!.seq}>
            <details>
              <summary className="cursor-pointer text-slate-700">
                {run.length} call{run.length === 1 ? "" : "s"} to Microsoft Graph and Azure
                {run.some((e) => typeof e.data.error === "string" && e.data.error) ? ", one or more refused" : ""}
              </summary>
              <ol className="mt-2 space-y-2 pl-2">
                {run.map((event) => (
                  <li key={event.seq}>
                    <TimelineEntry event={event} names={names} />
                  </li>
                ))}
              </ol>
            </details>
          </li>
        ) : (
          run.map((event) => (
            <li key={event.seq}>
              <TimelineEntry event={event} names={names} />
            </li>
          ))
        ),
      )}
    </ol>
  );
}
