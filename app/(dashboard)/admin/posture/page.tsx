import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { requirePermission } from "@/lib/auth/current-user";
import { loadPostureOverview } from "@/lib/posture/posture-view";
import { CheckPostureForm } from "./_components/check-posture-form";
import { ClusterPostureSection } from "./_components/cluster-posture";

export const metadata: Metadata = { title: "Posture" };

/** Is AKS JIT really the only way in? Each cluster's settings, what they allow, the fix, and standing access. */
export default async function PosturePage() {
  const user = await requirePermission("audit.read", "/admin/posture");
  const { clusters, canCheck } = await loadPostureOverview(user);
  return (
    <>
      <PageHeader title="Posture">
        <p>
          Whether AKS JIT is the only way into each cluster: its settings as Azure reports them, what they allow, the
          command that fixes each finding, and who gets in without a grant. Checked on a schedule with the drift check.
        </p>
        <p className="mt-1 text-sm">
          <Link href="/posture-terms" className="text-brand-700 underline">
            What the badges mean
          </Link>
        </p>
      </PageHeader>
      {canCheck ? (
        <div className="mb-6">
          <CheckPostureForm />
        </div>
      ) : null}
      {clusters.map((view) => (
        <ClusterPostureSection key={view.name} view={view} />
      ))}
    </>
  );
}
