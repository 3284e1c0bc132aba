import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { eligibleRoles, listMyRequests } from "@/lib/access/queries";
import { requirePermission } from "@/lib/auth/current-user";
import { RequestForm } from "./_components/request-form";

export const metadata: Metadata = { title: "My access" };

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
