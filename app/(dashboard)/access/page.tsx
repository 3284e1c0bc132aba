import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { eligibleRoles, listMyRequests } from "@/lib/access/queries";
import { requirePermission } from "@/lib/auth/current-user";
import { describeDuration } from "@/lib/domain/duration";
import type { RolePolicy } from "@/lib/domain/policy-types";
import { RequestForm } from "./_components/request-form";

export const metadata: Metadata = { title: "My access" };

function describePolicy(policy: RolePolicy) {
  const approval =
    policy.approvalsRequired === 0
      ? "no approval"
      : `${policy.approvalsRequired} approval${policy.approvalsRequired > 1 ? "s" : ""}`;
  return [
    approval,
    `up to ${describeDuration(policy.maxDurationMinutes)}`,
    policy.ticket.isRequired ? "ticket required" : null,
  ]
    .filter(Boolean)
    .join(", ");
}

export default async function MyAccessPage() {
  const user = await requirePermission("access.request", "/access");
  const [clusters, requests] = [eligibleRoles(user), await listMyRequests(user)];
  return (
    <>
      <PageHeader title="My access">
        <p>
          Welcome, {user.displayName}. Request time-bound Kubernetes admin or node (SSH) access to an AKS cluster; it is
          applied when approved and removed when it ends.
        </p>
      </PageHeader>
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
                <ul className="mt-2 space-y-1 text-sm">
                  {cluster.roles.map((role) => (
                    <li key={role.name}>
                      <span className="font-medium">{role.name}</span>: {describePolicy(role.policy)}
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
        <RequestForm clusters={clusters} />
      </section>
      <section aria-labelledby="my-requests">
        <h2 id="my-requests" className="mb-3 text-lg font-semibold">
          My requests
        </h2>
        {requests.length === 0 ? (
          <p className="text-slate-600">You have not requested anything yet.</p>
        ) : (
          <RequestTable requests={requests} caption="Your requests, newest first" variant="mine" now={new Date()} />
        )}
      </section>
    </>
  );
}
