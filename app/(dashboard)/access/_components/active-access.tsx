import Link from "next/link";
import { ActionButtonForm } from "@/components/action-button-form";
import { CommandList } from "@/components/copy-command";
import { Countdown } from "@/components/countdown";
import { ExtendAccess } from "@/components/extend-access";
import { LocalTime } from "@/components/local-time";
import type { RequestView } from "@/lib/access/request-queries";
import { endEarlyAction, extendAction } from "../../requests/[id]/actions";

/** The viewer's access that is on right now: how long it lasts, how to use it, more time or give it back. */
export function ActiveAccess({ requests, now }: { requests: RequestView[]; now: Date }) {
  if (requests.length === 0) {
    return <p className="text-slate-600">You have no active access right now.</p>;
  }
  return (
    <ul className="space-y-4">
      {requests.map((request) => (
        <li key={request.id}>
          <ActiveItem request={request} now={now} />
        </li>
      ))}
    </ul>
  );
}

function ActiveItem({ request, now }: { request: RequestView; now: Date }) {
  const name = `${request.roleName} on ${request.clusterName}`;
  const context = `for ${name}`;
  const headingId = `active-${request.id}`;
  return (
    <article
      aria-labelledby={headingId}
      className="grid gap-4 rounded-lg border border-emerald-300 bg-white p-4 md:grid-cols-[1fr_16rem]"
    >
      <div className="space-y-3">
        <h3 id={headingId} className="text-base font-semibold">
          <Link href={`/requests/${request.id}`} className="text-brand-700 underline">
            {name}
          </Link>
        </h3>
        {request.activeUntil ? (
          <p className="text-sm">
            <Countdown endAt={request.activeUntil} renderedAt={now.getTime()} />{" "}
            <span className="text-slate-700" aria-live="polite">
              · Ends at <LocalTime iso={request.activeUntil} />
            </span>
          </p>
        ) : null}
        {request.effectiveUntil ? (
          <p className="text-sm text-slate-700">
            Tokens already issued may work until <LocalTime iso={request.effectiveUntil} />; to stop using this access
            on your machine sooner, run <code>kubelogin remove-tokens</code>.
          </p>
        ) : null}
        {request.commands.length > 0 ? (
          <details className="text-sm" open>
            <summary className="cursor-pointer font-medium">Commands that use it</summary>
            <div className="mt-2">
              <CommandList commands={request.commands} />
            </div>
          </details>
        ) : null}
      </div>
      <div className="space-y-4 md:border-l md:border-slate-200 md:pl-4">
        <ExtendAccess request={request} action={extendAction.bind(null, request.id, "access")} context={context} />
        {request.canEndEarly ? (
          <ActionButtonForm
            action={endEarlyAction.bind(null, request.id, "access")}
            label="End access now"
            pendingLabel="Ending…"
            context={context}
            confirm={{ question: `End ${name} now? It cannot be undone.`, yes: "Yes, end it now", no: "Keep it" }}
          />
        ) : null}
      </div>
    </article>
  );
}
