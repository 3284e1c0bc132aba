import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { StatusBadge } from "@/components/status-badge";
import { loadRequestView, recentRequestsOnCluster, requestTimeline } from "@/lib/access/queries";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/current-user";
import { describeDuration } from "@/lib/domain/duration";
import { isAppError } from "@/lib/errors";
import { ActionButtonForm } from "@/components/action-button-form";
import { DecisionForm } from "./_components/decision-form";
import { cancelAction, endEarlyAction } from "./actions";

export const metadata: Metadata = { title: "Request" };

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
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
  "request.expired": "Access ended",
  "request.deactivated": "Ended early",
};

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requireUser(`/requests/${id}`);
  const request = await loadRequestView(id, viewer).catch((error: unknown) => {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const [timeline, history] = await Promise.all([
    requestTimeline(viewer, id),
    can(viewer.roles, "request.approve") && request.requester.id !== viewer.id
      ? recentRequestsOnCluster(viewer, request.requester.id, request.clusterName, id)
      : Promise.resolve(null),
  ]);
  const facts: Array<[string, string]> = [
    ["Requester", `${request.requester.displayName} (${request.requester.userPrincipalName})`],
    ["Cluster", request.clusterName],
    ["Role", request.roleName],
    ["Duration", describeDuration(request.durationMinutes)],
    ["Start", request.startAt ? `${time.format(new Date(request.startAt))} UTC` : "As soon as approved"],
    ["Justification", request.justification || "—"],
    ["Ticket", request.ticket ?? "—"],
    ["Approvals", `${request.decisions.filter((d) => d.outcome === "approve").length} of ${request.approvalsRequired}`],
  ];
  if (request.status === "pending") facts.push(["Times out", `${time.format(new Date(request.pendingExpiresAt))} UTC`]);
  if (request.activeUntil) {
    facts.push([
      request.status === "active" ? "Access ends" : "Access period",
      `${time.format(new Date(request.activeUntil))} UTC`,
    ]);
  }

  return (
    <>
      <PageHeader title={`${request.roleName} on ${request.clusterName}`}>
        <p className="flex items-center gap-2">
          <StatusBadge status={request.status} label={request.statusLabel} />
          {request.isBreakGlass ? <span className="text-sm font-semibold text-rose-700">Break-glass</span> : null}
        </p>
      </PageHeader>
      <div className="grid gap-8 lg:grid-cols-[1fr_22rem]">
        <div className="space-y-8">
          <section aria-labelledby="details">
            <h2 id="details" className="mb-3 text-lg font-semibold">
              Details
            </h2>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[9rem_1fr]">
              {facts.map(([label, value]) => (
                <div key={label} className="contents">
                  <dt className="font-medium text-slate-600">{label}</dt>
                  <dd className="whitespace-pre-wrap">{value}</dd>
                </div>
              ))}
            </dl>
            {request.status === "active" ? (
              <p className="mt-3 text-sm text-slate-700">
                Tokens Entra ID issued before the end stay valid for up to about 75 minutes, and AKS caches them: to
                stop using this access on your machine, run <code>kubelogin remove-tokens</code>.
              </p>
            ) : null}
          </section>
          <section aria-labelledby="timeline">
            <h2 id="timeline" className="mb-3 text-lg font-semibold">
              Timeline
            </h2>
            <ol className="space-y-2 border-l-2 border-slate-200 pl-4 text-sm">
              {timeline.map((event) => (
                <li key={event.seq}>
                  <span className="font-medium">{EVENT_WORDS[event.type] ?? event.type}</span>{" "}
                  <span className="text-slate-600">
                    {time.format(new Date(event.occurredAt))} UTC ·{" "}
                    {event.actorUpn ?? (event.data.actorKind === "policy" ? "by policy" : "system")}
                  </span>
                  {typeof event.data.comment === "string" && event.data.comment ? (
                    <p className="mt-0.5 text-slate-700">“{event.data.comment}”</p>
                  ) : null}
                  {typeof event.data.reason === "string" && event.type === "request.activation_failed" ? (
                    <p className="mt-0.5 text-rose-800">{event.data.reason}</p>
                  ) : null}
                </li>
              ))}
            </ol>
          </section>
          {history ? (
            <section aria-labelledby="history">
              <h2 id="history" className="mb-3 text-lg font-semibold">
                {request.requester.displayName}&apos;s recent requests on {request.clusterName}
              </h2>
              {history.length === 0 ? (
                <p className="text-sm text-slate-600">None before this one.</p>
              ) : (
                <RequestTable
                  requests={history}
                  caption="The requester's recent requests on this cluster"
                  variant="mine"
                  now={new Date()}
                />
              )}
            </section>
          ) : null}
        </div>
        <aside aria-labelledby="actions" className="h-fit rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="actions" className="mb-3 text-lg font-semibold">
            Decision
          </h2>
          {request.canDecide ? (
            <DecisionForm requestId={request.id} />
          ) : (
            <p className="text-sm text-slate-700" data-testid="cannot-decide">
              {request.cannotDecideReason ?? "Only approvers for this role decide it."}
            </p>
          )}
          {request.canEndEarly ? (
            <div className="mt-4 border-t border-slate-200 pt-4">
              <ActionButtonForm
                action={endEarlyAction.bind(null, request.id)}
                label="End access now"
                pendingLabel="Ending…"
                hint="Done already? Give the access back now rather than at its end."
              />
            </div>
          ) : null}
          {request.canCancel ? (
            <div className="mt-4 border-t border-slate-200 pt-4">
              <ActionButtonForm
                action={cancelAction.bind(null, request.id)}
                label="Cancel this request"
                pendingLabel="Cancelling…"
              />
            </div>
          ) : null}
        </aside>
      </div>
    </>
  );
}
