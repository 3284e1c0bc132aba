import type { Metadata } from "next";
import Link from "next/link";
import { ComingSoon, PageHeader } from "@/components/page-header";
import { listActiveGrants, listOpenDrift } from "@/lib/access/grant-queries";
import { Pager, pageFromQuery } from "@/components/pager";
import { idNamer } from "@/lib/access/id-names";
import { listRecentRetries } from "@/lib/access/recent-retries";
import { listFailedRequestsPage } from "@/lib/access/request-queries";
import { describeSignInConfiguration } from "@/lib/auth/configuration";
import { requirePermission } from "@/lib/auth/current-user";
import { describeCatalog } from "@/lib/access/catalog-view";
import { listFailedJobs } from "@/lib/jobs/failed-jobs";
import { AccessCatalog } from "./_components/access-catalog";
import { ActiveGrants } from "./_components/active-grants";
import { ApproverCoverage } from "./_components/approver-coverage";
import { DriftFindings } from "./_components/drift-findings";
import { FailedActivations } from "./_components/failed-activations";
import { FailedJobs } from "./_components/failed-jobs";
import { RecentRetries } from "./_components/recent-retries";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePermission("catalog.admin", "/admin");
  const failedPage = pageFromQuery((await searchParams).failedPage);
  const config = describeSignInConfiguration(user);
  const catalog = describeCatalog(user);
  const [grants, failedRequests, failedJobs, drift, retries] = await Promise.all([
    listActiveGrants(user, "all"),
    listFailedRequestsPage(user, { page: failedPage }),
    listFailedJobs(user),
    listOpenDrift(user),
    listRecentRetries(user),
  ]);
  const names = await idNamer(failedRequests.requests.map((r) => r.failureReason));
  const rows: Array<[string, string]> = [
    ["Authority", config.authority],
    ["Client ID", config.clientId],
    ["Redirect URI", config.redirectUri],
    ["Microsoft Graph", config.graphBaseUrl],
    ...config.roleGroups.map(({ role, groupIds }): [string, string] => [
      `${role[0]!.toUpperCase()}${role.slice(1)} groups`,
      groupIds.length > 0 ? groupIds.join(", ") : "none configured",
    ]),
    ["Session timeouts", `${config.session.idleMinutes} min idle, ${config.session.absoluteHours} h absolute`],
  ];
  return (
    <>
      <PageHeader title="Admin">
        <p>Who holds access now, what failed and where the cloud disagrees with the records; and the configuration.</p>
        <p className="mt-1 text-sm">
          <Link href="/admin/posture" className="font-medium text-brand-700 underline">
            Posture
          </Link>
          : whether AKS JIT is the only way into each cluster, and who gets in without it.
        </p>
      </PageHeader>
      <ActiveGrants grants={grants} />
      <FailedActivations requests={failedRequests.requests} names={names} />
      <Pager
        page={failedRequests.page}
        hasNextPage={failedRequests.hasNextPage}
        href={(n) => `/admin?failedPage=${n}#failed-activations`}
        label="Failed activations"
      />
      <FailedJobs jobs={failedJobs} />
      <RecentRetries retries={retries} />
      <DriftFindings findings={drift} />
      <ApproverCoverage viewer={user} />
      <AccessCatalog catalog={catalog} />
      <section aria-labelledby="sign-in-config" className="mb-8">
        <h2 id="sign-in-config" className="mb-3 text-lg font-semibold">
          Sign-in
        </h2>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[12rem_1fr]">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-slate-600">{label}</dt>
              <dd className="break-all font-mono text-xs leading-5">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <ComingSoon title="This page will also hold" items={["Health of the database, Entra ID, Graph and ARM."]} />
    </>
  );
}
