import Link from "next/link";
import { ActionButtonForm } from "@/components/action-button-form";
import { LocalTime } from "@/components/local-time";
import type { RequestView } from "@/lib/access/request-queries";
import { retryActivationAction } from "../../requests/[id]/actions";
import { DataTable, TD } from "@/components/ui/data-table";

/** Activations that gave up after their retries, with the service's reason and a way to try again. */
export function FailedActivations({
  requests,
  names = (text) => text,
}: {
  requests: RequestView[];
  /** object ids in words (lib/access/id-names.ts) */
  names?: (text: string) => string;
}) {
  return (
    <section aria-labelledby="failed-activations" className="mb-8">
      <h2 id="failed-activations" className="mb-3 text-lg font-semibold">
        Failed activations
      </h2>
      {requests.length === 0 ? (
        <p className="text-slate-600">No activation has failed.</p>
      ) : (
        <DataTable
          caption="Requests whose activation failed, most recent first"
          columns={["Request", "Why it failed", "Retry"]}
        >
          {requests.map((request) => {
            const name = `${request.roleName} on ${request.clusterName}`;
            return (
              <tr key={request.id} className="border-t border-slate-100">
                <td className={TD}>
                  <Link href={`/requests/${request.id}`} className="font-medium text-brand-700 underline">
                    {name}
                  </Link>
                  <span className="block text-xs text-slate-500">
                    {request.requester.userPrincipalName} · requested <LocalTime iso={request.createdAt} />
                  </span>
                </td>
                <td className={`${TD} max-w-md text-rose-900`}>
                  {request.failureReason ? names(request.failureReason) : "No reason recorded."}
                </td>
                <td className={TD}>
                  {request.canRetry ? (
                    <ActionButtonForm
                      action={retryActivationAction.bind(null, request.id, "admin")}
                      label="Retry"
                      pendingLabel="Retrying…"
                      context={`the activation of ${name} for ${request.requester.displayName}`}
                    />
                  ) : (
                    <span className="text-xs text-slate-600">Your own request: another admin retries it.</span>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
