import type { Metadata } from "next";
import { ComingSoon, PageHeader } from "@/components/page-header";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await requirePermission("request.approve", "/approvals");
  return (
    <>
      <PageHeader title="Approvals">
        <p>Decide the access requests routed to your approver groups.</p>
      </PageHeader>
      <ComingSoon
        title="This page will hold"
        items={[
          "Your inbox: requests you may decide, oldest first, with requester, cluster, role, duration, justification, ticket and age.",
          "Each request's detail with the requester's recent history on that cluster.",
          "Approve or deny with a comment, after fresh authentication when the role's policy asks for it.",
          "Your own requests, shown but never decidable by you.",
        ]}
      />
    </>
  );
}
