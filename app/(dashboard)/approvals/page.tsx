import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { RequestTable } from "@/components/request-table";
import { Pager, pageFromQuery } from "@/components/pager";
import { countAwaitingMyDecision } from "@/lib/access/approval-queue";
import { catalogContext } from "@/lib/access/approver-context";
import { listApprovableRequestsPage } from "@/lib/access/request-queries";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePermission("request.approve", "/approvals");
  const query = await searchParams;
  const [{ requests, page, hasNextPage }, pending] = await Promise.all([
    listApprovableRequestsPage(user, { page: pageFromQuery(query.page) }),
    countAwaitingMyDecision(user),
  ]);
  // Back from "Then open the next request" with the queue empty.
  const isQueueDone = query.done === "1" && pending === 0;
  return (
    <>
      {isQueueDone ? (
        <p
          role="status"
          className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          Decision recorded. Nothing else waits for you.
        </p>
      ) : null}
      <PageHeader title={pending > 0 ? `Approvals: ${pending} waiting for you` : "Approvals: nothing waiting for you"}>
        <p>
          Requests waiting for a decision from your approver groups, newest first. Open one to see the requester&apos;s
          history and to approve or deny it. You never decide your own requests.
        </p>
        <p className="mt-2">
          <Link href="/approvals/break-glass" className="font-medium text-brand-700 underline">
            Break-glass review
          </Link>
          : break-glass access taken without approval, to review afterwards.
        </p>
      </PageHeader>
      {requests.length === 0 ? (
        <p className="text-slate-600">
          {page === 1 ? "Nothing is waiting for you." : "No more requests on this page."}
        </p>
      ) : (
        <RequestTable
          requests={requests}
          caption="Requests waiting for a decision, newest first"
          variant="inbox"
          now={new Date()}
          catalogOf={Object.fromEntries(requests.map((r) => [r.id, catalogContext(r)]))}
        />
      )}
      <Pager page={page} hasNextPage={hasNextPage} href={(n) => `/approvals?page=${n}`} label="Approvals" />
    </>
  );
}
