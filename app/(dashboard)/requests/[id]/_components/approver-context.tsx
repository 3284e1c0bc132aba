import Link from "next/link";
import type { ApproverContext } from "@/lib/access/approver-context";
import { LocalTime } from "@/components/local-time";

const OVERLAP_WORDS = { active: "already holds", open: "has already requested" } as const;

/**
 * The requester's other active access and open requests, for the approver: an overlapping one for
 * the same role on the same cluster is named first, as a warning.
 */
export function RequesterContext({
  context,
  requesterName,
  roleName,
  clusterName,
}: {
  context: ApproverContext;
  requesterName: string;
  roleName: string;
  clusterName: string;
}) {
  const overlapping = context.related.filter((r) => r.overlap !== null);
  return (
    <section aria-labelledby="requester-context" className="space-y-3">
      <h2 id="requester-context" className="text-lg font-semibold">
        {requesterName}&apos;s other access and open requests
      </h2>
      {overlapping.length > 0 ? (
        <div
          data-testid="overlap-warning"
          className="rounded-lg border border-amber-400 bg-amber-50 p-4 text-sm text-amber-950"
        >
          <p className="font-semibold">Overlaps with access for the same role</p>
          <ul className="mt-1 list-disc space-y-1 pl-5">
            {overlapping.map((r) => (
              <li key={r.id}>
                {requesterName} {OVERLAP_WORDS[r.overlap ?? "open"]} {roleName} on {clusterName} for a period that
                overlaps this one:{" "}
                <Link href={`/requests/${r.id}`} className="font-medium underline underline-offset-2">
                  that request ({r.statusLabel})
                </Link>
                . Approving both does not add time: access ends with the later of the two.
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {context.related.length === 0 ? (
        <p className="text-sm text-slate-600">No other active access or open request.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
          {context.related.map((r) => (
            <li key={r.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-2">
              <Link href={`/requests/${r.id}`} className="font-medium text-brand-700 underline underline-offset-2">
                {r.roleName} on {r.clusterName}
              </Link>
              <span className="text-slate-700">
                {r.statusLabel}
                {r.status === "active" && r.activeUntil ? (
                  <>
                    {" until "}
                    <LocalTime iso={r.activeUntil} />
                  </>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
