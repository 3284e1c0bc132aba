import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { FreshOnReturn } from "@/components/fresh-on-return";
import { PageHeader } from "@/components/page-header";
import { PostureBadges } from "@/components/posture-badges";
import { RequestTable } from "@/components/request-table";
import { Pager, pageFromQuery } from "@/components/pager";
import { eligibleRoles, listMyActiveRequests, listMyRequestsPage } from "@/lib/access/request-queries";
import { requirePermission } from "@/lib/auth/current-user";
import { stepUpSettings } from "@/lib/auth/step-up";
import { policyInBrief } from "@/lib/domain/policy-summary";
import { clusterPostureBadges } from "@/lib/posture/posture-view";
import { ActiveAccess } from "./_components/active-access";
import { RequestForm, type EligibleCluster } from "./_components/request-form";

export const metadata: Metadata = { title: "My access" };

/**
 * `?cluster=&role=` (a role in "What you can request", or "Request more time") preselects that role
 * when the viewer may request it.
 */
function prefillFrom(clusters: EligibleCluster[], query: Record<string, string | string[] | undefined>) {
  const cluster = clusters.find((c) => c.name === query.cluster);
  const role = cluster?.roles.find((r) => r.name === query.role);
  return cluster && role ? { cluster: cluster.name, role: role.name } : undefined;
}

export default async function MyAccessPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePermission("access.request", "/access");
  const query = await searchParams;
  const clusters = eligibleRoles(user);
  const [active, { requests, page, hasNextPage }, badges] = await Promise.all([
    listMyActiveRequests(user),
    listMyRequestsPage(user, { page: pageFromQuery(query.page) }),
    clusterPostureBadges(user),
  ]);
  const prefill = prefillFrom(clusters, query);
  const isMoreTime =
    prefill !== undefined && active.some((r) => r.clusterName === prefill.cluster && r.roleName === prefill.role);
  // The popup's settings (the role's own rule is applied in the form), only where a role needs them.
  const hasBreakGlassStepUp = clusters.some((c) =>
    c.roles.some((r) => r.policy.isBreakGlassAllowed && r.policy.stepUp !== undefined),
  );
  const now = new Date();
  return (
    <>
      <FreshOnReturn renderId={randomUUID()} />
      <PageHeader title="My access">
        <p>
          Welcome, {user.displayName}. Request time-bound Kubernetes admin or node (SSH) access to an AKS cluster; it is
          applied when approved and removed when it ends.
        </p>
      </PageHeader>
      <section aria-labelledby="active-access" className="mb-8">
        <h2 id="active-access" className="mb-3 text-lg font-semibold">
          Active access
        </h2>
        <ActiveAccess requests={active} now={now} />
      </section>
      <section aria-labelledby="eligible" className="mb-8">
        <h2 id="eligible" className="mb-3 text-lg font-semibold">
          What you can request
        </h2>
        {clusters.length === 0 ? (
          <p className="text-slate-600">Nothing yet: ask a platform admin which group grants access to a cluster.</p>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {clusters.map((cluster) => (
              <li key={cluster.name} className="rounded-lg border border-slate-200 bg-white p-4">
                <p className="font-semibold">
                  {cluster.name} <span className="font-normal text-slate-600">({cluster.environment})</span>
                </p>
                <PostureBadges clusterName={cluster.name} badges={badges[cluster.name]} />
                <ul className="mt-2 space-y-1 text-sm">
                  {cluster.roles.map((role) => (
                    <li key={role.name}>
                      {/* A link, so that it also fills the form without JavaScript; its cluster is the item's heading. */}
                      <Link
                        href={`/access?${new URLSearchParams({ cluster: cluster.name, role: role.name })}#new-request`}
                        className="font-medium text-brand-700 underline"
                      >
                        {role.name}
                      </Link>
                      : {policyInBrief(role.policy)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="new-request" className="mb-10">
        <h2 id="new-request" className="mb-3 text-lg font-semibold">
          Request access
        </h2>
        {isMoreTime ? (
          <p className="mb-3 max-w-3xl text-sm text-slate-700">
            Asking for more time on {prefill.role} on {prefill.cluster}: once approved, the new request joins your
            current access, so nothing ends in between.
          </p>
        ) : null}
        <RequestForm
          key={prefill ? `${prefill.cluster}/${prefill.role}` : "new"}
          clusters={clusters}
          prefill={prefill}
          stepUp={hasBreakGlassStepUp ? stepUpSettings(user, { maxAgeMinutes: 0 }) : undefined}
          postureBadges={badges}
        />
      </section>
      <section aria-labelledby="my-requests">
        <h2 id="my-requests" className="mb-3 text-lg font-semibold">
          My requests
        </h2>
        {requests.length === 0 ? (
          <p className="text-slate-600">
            {page === 1 ? "You have not requested anything yet." : "No more requests on this page."}
          </p>
        ) : (
          <RequestTable requests={requests} caption="Your requests, newest first" variant="mine" now={now} />
        )}
        <Pager
          page={page}
          hasNextPage={hasNextPage}
          href={(n) => `/access?page=${n}#my-requests`}
          label="My requests"
        />
      </section>
    </>
  );
}
