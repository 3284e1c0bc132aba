import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ActivitySection } from "@/components/activity/activity-section";
import { CheckActivityForm } from "@/components/activity/check-activity-form";
import { EnvironmentBadges, TicketLink } from "@/components/catalog-badges";
import { CommandList } from "@/components/copy-command";
import { PostureBadges } from "@/components/posture-badges";
import { clusterPostureBadges } from "@/lib/posture/posture-view";
import { Countdown } from "@/components/countdown";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { StatusBadge } from "@/components/status-badge";
import { LocalTime } from "@/components/local-time";
import { catalogContext, loadApproverContext } from "@/lib/access/approver-context";
import { loadRequestActivity } from "@/lib/activity/request-activity";
import { activityReadAt } from "@/lib/activity/read-at";
import { breakGlassReviewOf } from "@/lib/access/break-glass-reviews";
import { idNamer } from "@/lib/access/id-names";
import { loadRequestView, requestTimeline, requesterHistory } from "@/lib/access/request-queries";
import { requireUser } from "@/lib/auth/current-user";
import { stepUpSettings } from "@/lib/auth/step-up";
import { can } from "@/lib/auth/permissions";
import { describeTotalDuration, failureNextStep, hasGrantedAccess } from "@/lib/domain/request-facts";
import { requestProgress } from "@/lib/domain/request-progress";
import { hasFailed, isActive, isAwaitingDecision } from "@/lib/domain/request-status";
import { isAppError } from "@/lib/errors";
import { RequesterContext } from "./_components/approver-context";
import { BreakGlassReviewSection } from "./_components/break-glass-review-section";
import { RequestActions } from "./_components/request-actions";
import { RequestStepper } from "./_components/request-stepper";
import { RequestTimeline } from "./_components/request-timeline";
import { checkActivityAction } from "../../audit/requests/[id]/actions";

export const metadata: Metadata = { title: "Request" };

export default async function RequestPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const isInQueue = (await searchParams).queue === "1";
  const viewer = await requireUser(`/requests/${id}`);
  const request = await loadRequestView(id, viewer).catch((error: unknown) => {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const [timeline, history, approverContext, review, badges, activity] = await Promise.all([
    requestTimeline(viewer, id),
    requesterHistory(viewer, request),
    loadApproverContext(viewer, request),
    request.isBreakGlass ? breakGlassReviewOf(viewer, id) : null,
    clusterPostureBadges(viewer),
    request.activeFrom ? loadRequestActivity(viewer, id) : null,
  ]);
  const catalog = catalogContext(request);
  const now = new Date();
  const approvals = request.decisions.filter((d) => d.outcome === "approve").length;
  // Reasons and service answers name people and groups by object id: show the names the app knows.
  const names = await idNamer([
    request.failureReason,
    ...timeline.flatMap((e) => Object.values(e.data).filter((v) => typeof v === "string")),
  ]);
  const isAccessActive = isActive(request.status);
  // A failed activation removed what it had applied: no access period, no token lifetime to warn of.
  const wasGranted = hasGrantedAccess(request.status, request.activeFrom);
  const extensions = timeline.flatMap((e) =>
    e.type === "request.extended" && typeof e.data.extraMinutes === "number" ? [e.data.extraMinutes] : [],
  );
  const facts: Array<[string, ReactNode]> = [
    ["Requester", `${request.requester.displayName} (${request.requester.userPrincipalName})`],
    [
      "Cluster",
      <>
        {request.clusterName}
        <PostureBadges clusterName={request.clusterName} badges={badges[request.clusterName]} />
      </>,
    ],
    [
      "Role",
      <>
        {request.roleName}
        {catalog.roleDescription ? (
          <span className="block text-slate-700" data-testid="role-description">
            {catalog.roleDescription}
          </span>
        ) : null}
      </>,
    ],
    ["Duration", describeTotalDuration(request.durationMinutes, extensions)],
    ["Start", request.startAt ? <LocalTime iso={request.startAt} /> : "As soon as approved"],
    ["Justification", request.justification || "—"],
    [
      "Ticket",
      request.ticket ? (
        <TicketLink ticket={request.ticket} url={catalog.ticketUrl} />
      ) : request.isTicketOwed ? (
        "To follow: break-glass filed without one"
      ) : (
        "—"
      ),
    ],
    [
      "Approvals",
      <span key="q" data-testid="quorum">
        {approverContext?.quorum ??
          (request.approvalsRequired === 0
            ? "Not needed: activated by policy"
            : `${approvals} of ${request.approvalsRequired} required`)}
      </span>,
    ],
  ];
  if (isAwaitingDecision(request.status))
    facts.push(["Times out", <LocalTime key="t" iso={request.pendingExpiresAt} />]);
  if (wasGranted && request.activeFrom && request.activeUntil) {
    facts.push([
      "Access period",
      <span key="p" data-testid="access-period">
        <LocalTime iso={request.activeFrom} /> → <LocalTime iso={request.activeUntil} />
      </span>,
    ]);
  }
  if (request.activeUntil && isAccessActive) {
    facts.push([
      "Access ends",
      <>
        {/* Announced when an extension moves it; the countdown beside it is not. */}
        <span aria-live="polite">
          <LocalTime iso={request.activeUntil} />
        </span>
        {isAccessActive ? (
          <>
            {" · "}
            <Countdown endAt={request.activeUntil} renderedAt={now.getTime()} />
          </>
        ) : null}
      </>,
    ]);
  }
  if (request.deferredRemoval) {
    facts.push([
      "Access ends",
      <span key="d" data-testid="deferred-removal">
        <LocalTime iso={request.deferredRemoval.at} />: PIM keeps an assignment for at least 5 minutes
      </span>,
    ]);
  }
  const showsEffectiveEnd =
    wasGranted && request.effectiveUntil && (isAccessActive || new Date(request.effectiveUntil) > now);
  if (showsEffectiveEnd && request.effectiveUntil) {
    facts.push(["Tokens may work until", <LocalTime key="e" iso={request.effectiveUntil} />]);
  }

  return (
    <>
      <PageHeader title={`${request.roleName} on ${request.clusterName}`}>
        <p className="flex flex-wrap items-center gap-2">
          <StatusBadge status={request.status} label={request.statusLabel} />
          <EnvironmentBadges environment={catalog.environment} risk={catalog.risk} />
          {request.isBreakGlass ? <span className="text-sm font-semibold text-rose-700">Break-glass</span> : null}
        </p>
      </PageHeader>
      <section aria-labelledby="progress" className="mb-6">
        <h2 id="progress" className="sr-only">
          Progress
        </h2>
        <RequestStepper steps={requestProgress(request.status, timeline)} />
      </section>
      {hasFailed(request.status) ? (
        <section aria-labelledby="failure" className="mb-6 rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm">
          <h2 id="failure" className="font-semibold text-rose-900">
            Activation failed
          </h2>
          <p className="mt-1 font-medium text-rose-900">No access was granted: nothing of it is left in place.</p>
          <p className="mt-1 text-rose-900" data-testid="failure-reason">
            {request.failureReason
              ? names(request.failureReason)
              : "The services did not confirm the access; no reason was recorded."}
          </p>
          <p className="mt-1 text-slate-700">
            {failureNextStep({ isRequester: request.requester.id === viewer.id, canRetry: request.canRetry })}
          </p>
        </section>
      ) : null}
      <div className="grid grid-cols-1 gap-8 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-8">
          <section aria-labelledby="details">
            <h2 id="details" className="mb-3 text-lg font-semibold">
              Details
            </h2>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[10rem_1fr]">
              {facts.map(([label, value]) => (
                <div key={label} className="contents">
                  <dt className="font-medium text-slate-600">{label}</dt>
                  <dd className="min-w-0 whitespace-pre-wrap [overflow-wrap:anywhere]">{value}</dd>
                </div>
              ))}
            </dl>
            {showsEffectiveEnd ? (
              <p className="mt-3 text-sm text-slate-700">
                Tokens Entra ID issued before the end stay valid until they expire, and AKS caches them: to stop using
                this access on your machine before then, run <code>kubelogin remove-tokens</code>.
              </p>
            ) : null}
          </section>
          {approverContext ? (
            <RequesterContext
              context={approverContext}
              requesterName={request.requester.displayName}
              roleName={request.roleName}
              clusterName={request.clusterName}
            />
          ) : null}
          {review ? <BreakGlassReviewSection requestId={request.id} review={review} /> : null}
          {request.commands.length > 0 ? (
            <section aria-labelledby="use-access">
              <h2 id="use-access" className="mb-3 text-lg font-semibold">
                Use your access
              </h2>
              <CommandList commands={request.commands} />
            </section>
          ) : null}
          {wasGranted && request.activeFrom ? (
            <ActivitySection
              facts={{
                stored: activity,
                holderUpn: request.requester.userPrincipalName,
                clusterName: request.clusterName,
                readAt: request.activeUntil ? activityReadAt(request.activeUntil).toISOString() : null,
              }}
              actions={
                can(viewer.roles, "activity.check") ? (
                  <CheckActivityForm requestId={request.id} action={checkActivityAction} />
                ) : null
              }
            />
          ) : null}
          <section aria-labelledby="timeline">
            <h2 id="timeline" className="mb-3 text-lg font-semibold">
              Timeline
            </h2>
            <RequestTimeline
              events={timeline}
              names={names}
              isProviderCallsFolded={!can(viewer.roles, "audit.read") && !can(viewer.roles, "access.administer")}
            />
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
                  now={now}
                />
              )}
            </section>
          ) : null}
        </div>
        <aside aria-labelledby="actions" className="h-fit rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="actions" className="mb-3 text-lg font-semibold">
            Actions
          </h2>
          <RequestActions
            request={request}
            isInQueue={isInQueue}
            stepUp={
              request.canDecide && request.stepUp
                ? stepUpSettings(viewer, {
                    maxAgeMinutes: request.stepUp.maxAgeMinutes,
                    ...(request.stepUp.authenticationContext
                      ? { authenticationContext: request.stepUp.authenticationContext }
                      : {}),
                  })
                : undefined
            }
          />
        </aside>
      </div>
    </>
  );
}
