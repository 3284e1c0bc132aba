import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { requirePermission } from "@/lib/auth/current-user";
import { AuditInsights } from "../_components/audit-insights";

export const metadata: Metadata = { title: "Audit charts" };

/** The auditor's charts on their own: the same section the Audit page can hold, at a URL of its own. */
export default async function AuditInsightsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePermission("audit.read", "/audit/insights");
  return (
    <>
      <PageHeader title="Audit charts">
        <p>
          Activations, approval times, break-glass uses and failed activations, counted from the audit history by UTC
          day.{" "}
          <Link href="/audit" className="font-medium text-brand-700 underline">
            Back to the audit history
          </Link>
        </p>
      </PageHeader>
      <AuditInsights viewer={user} params={await searchParams} action="/audit/insights" />
    </>
  );
}
