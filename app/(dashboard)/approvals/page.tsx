import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { listApprovableRequests } from "@/lib/access/queries";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requirePermission("request.approve", "/approvals");
  const requests = await listApprovableRequests(user);
  return (
    <>
      <PageHeader title="Approvals">
        <p>
          Requests waiting for a decision from your approver groups, oldest first. Open one to see the requester&apos;s
          history and to approve or deny it. You never decide your own requests.
        </p>
      </PageHeader>
      {requests.length === 0 ? (
        <p className="text-slate-600">Nothing is waiting for you.</p>
      ) : (
        <RequestTable
          requests={requests}
          caption="Requests waiting for a decision, oldest first"
          variant="inbox"
          now={new Date()}
        />
      )}
    </>
  );
}
