import type { Metadata } from "next";
import { ComingSoon, PageHeader } from "@/components/page-header";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "My access" };

export default async function MyAccessPage() {
  const user = await requirePermission("access.request", "/access");
  return (
    <>
      <PageHeader title="My access">
        <p>
          Welcome, {user.displayName}. Request time-bound Kubernetes admin or node (SSH) access to an AKS cluster; it is
          applied when approved and removed when it ends.
        </p>
        <p className="mt-1 text-sm">
          Your roles: <strong>{user.roles.join(", ")}</strong>
        </p>
      </PageHeader>
      <ComingSoon
        title="This page will hold"
        items={[
          "The clusters and roles you are eligible for, with each role's limits (maximum duration, approval, justification and ticket rules).",
          "A request form: cluster, role, duration, justification, ticket, start now or later.",
          "Your requests with their status, timeline and a countdown to when access ends.",
          "The exact az, kubectl and kubelogin commands to use your access, and buttons to extend or end it early.",
        ]}
      />
    </>
  );
}
