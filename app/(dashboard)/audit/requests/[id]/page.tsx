import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ActivitySection } from "@/components/activity/activity-section";
import { CheckActivityForm } from "@/components/activity/check-activity-form";
import { PageHeader } from "@/components/page-header";
import { StatusBadge } from "@/components/status-badge";
import { LocalTime } from "@/components/local-time";
import { loadRequestActivity } from "@/lib/activity/request-activity";
import { activityReadAt } from "@/lib/activity/read-at";
import { requestAuditTrail } from "@/lib/audit/request-trail";
import { requirePermission } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/permissions";
import { isAppError } from "@/lib/errors";
import { checkActivityAction } from "./actions";
import { TrailTable } from "./_components/trail-table";

export const metadata: Metadata = { title: "Request timeline" };

const link = "font-medium text-brand-700 underline";

/** The auditor's view of one request: every event as the chain holds it, and its evidence pack. */
export default async function RequestTrailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("audit.read", `/audit/requests/${id}`);
  const { request, events, accessEnd } = await requestAuditTrail(viewer, id).catch((error: unknown) => {
    if (isAppError(error) && (error.code === "NOT_FOUND" || error.code === "INVALID_INPUT")) notFound();
    throw error;
  });
  // After the trail, which refuses an id that is not a request's.
  const activity = accessEnd ? await loadRequestActivity(viewer, id) : null;
  const facts: Array<[string, ReactNode]> = [
    ["Requester", request.requester.userPrincipalName],
    ["Requested", <LocalTime key="c" iso={request.createdAt} />],
    ["Approvals", request.decisions.map((d) => `${d.outcome} by ${d.byUpn}`).join("; ") || "none"],
  ];
  if (request.activeFrom) facts.push(["Access from", <LocalTime key="f" iso={request.activeFrom} />]);
  if (accessEnd) {
    facts.push([
      accessEnd.how === "scheduled" ? "Access ends" : `Access ${accessEnd.how}`,
      <LocalTime key="a" iso={accessEnd.at} />,
    ]);
    facts.push(["Effective end (tokens)", <LocalTime key="t" iso={accessEnd.tokensMayWorkUntil} />]);
  }
  return (
    <>
      <PageHeader title={`Timeline: ${request.roleName} on ${request.clusterName}`}>
        <p className="flex flex-wrap items-center gap-3">
          <StatusBadge status={request.status} label={request.statusLabel} />
          {request.isBreakGlass ? <span className="text-sm font-semibold text-rose-700">Break-glass</span> : null}
          <span className="font-mono text-xs text-slate-600">{request.id}</span>
        </p>
      </PageHeader>
      <dl className="mb-6 grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[12rem_1fr]">
        {facts.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-600">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {accessEnd ? (
        <div className="mb-8">
          <ActivitySection
            facts={{
              stored: activity,
              holderUpn: request.requester.userPrincipalName,
              clusterName: request.clusterName,
              readAt: activityReadAt(accessEnd.at).toISOString(),
            }}
            actions={
              can(viewer.roles, "activity.check") ? (
                <CheckActivityForm requestId={request.id} action={checkActivityAction} />
              ) : null
            }
          />
        </div>
      ) : null}
      <p className="mb-6 flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <a href={`/api/v1/requests/${request.id}/evidence`} download className={link}>
          Download the evidence pack
        </a>
        <a href={`/api/v1/audit/export?format=csv&requestId=${request.id}`} download className={link}>
          Export these events as CSV
        </a>
        <Link href={`/requests/${request.id}`} className={link}>
          Open the request
        </Link>
      </p>
      <p className="mb-3 text-sm text-slate-700">
        The evidence pack holds these events, their hashes and the chain links around them; check it offline with{" "}
        <code>npm run audit:verify -- --pack FILE</code>.
      </p>
      <section aria-labelledby="trail">
        <h2 id="trail" className="mb-3 text-lg font-semibold">
          Timeline
        </h2>
        <TrailTable events={events} />
      </section>
    </>
  );
}
