import Link from "next/link";
import { ActionButtonForm } from "@/components/action-button-form";
import { LocalTime } from "@/components/local-time";
import type { FailedJob } from "@/lib/jobs/failed-jobs";
import { describeDeliveryJob } from "@/lib/notify/payloads";
import { retryJobAction } from "../actions";
import { DataTable, TD } from "@/components/ui/data-table";

/** What the job was about: who missed which message, its request when it has one, else its data as stored. */
function JobSubject({ data }: { data: Record<string, unknown> }) {
  const requestId = typeof data.requestId === "string" ? data.requestId : null;
  const delivery = describeDeliveryJob(data);
  if (delivery && requestId) {
    return (
      <>
        <span className="block">{delivery.recipient}</span>
        <span className="block">“{delivery.title}”</span>
        <Link href={`/requests/${requestId}`} className="text-brand-700 underline">
          Open the request
        </Link>
      </>
    );
  }
  if (requestId) {
    return (
      <Link href={`/requests/${requestId}`} className="text-brand-700 underline">
        Request <span className="font-mono text-xs">{requestId.slice(0, 8)}</span>
      </Link>
    );
  }
  const json = JSON.stringify(data);
  return <span className="font-mono text-xs break-all">{json === "{}" ? "—" : json}</span>;
}

/** Background jobs that spent every retry (removals, extensions, sweeps): the error, and a way to run them again. */
export function FailedJobs({ jobs }: { jobs: FailedJob[] }) {
  return (
    <section aria-labelledby="failed-jobs" className="mb-8">
      <h2 id="failed-jobs" className="mb-3 text-lg font-semibold">
        Failed jobs
      </h2>
      {jobs.length === 0 ? (
        <p className="text-slate-600">No background job has failed.</p>
      ) : (
        <DataTable
          caption="Background jobs that failed after their retries, most recent first"
          columns={["Job", "Error", "Failed", "Retry"]}
        >
          {jobs.map((job) => (
            <tr key={job.id} className="border-t border-slate-100">
              <td className={TD}>
                <span className="font-mono text-xs">{job.queue}</span>
                <span className="block">
                  <JobSubject data={job.data} />
                </span>
              </td>
              <td className={`${TD} max-w-md text-rose-900`}>{job.error}</td>
              <td className={`${TD} whitespace-nowrap`}>
                <LocalTime iso={job.failedAt} />
                <span className="block text-xs text-slate-500">after {job.retries} retries</span>
              </td>
              <td className={TD}>
                <ActionButtonForm
                  action={retryJobAction.bind(null, job.queue, job.id)}
                  label="Retry"
                  pendingLabel="Retrying…"
                  context={`the ${job.queue} job ${job.id.slice(0, 8)}`}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
