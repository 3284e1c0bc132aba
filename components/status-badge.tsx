import type { RequestStatus } from "@/lib/domain/request-state";

const TONES: Record<RequestStatus, string> = {
  pending: "bg-amber-100 text-amber-900 border-amber-300",
  approved: "bg-sky-100 text-sky-900 border-sky-300",
  scheduled: "bg-sky-100 text-sky-900 border-sky-300",
  activating: "bg-sky-100 text-sky-900 border-sky-300",
  active: "bg-emerald-100 text-emerald-900 border-emerald-300",
  expired: "bg-slate-100 text-slate-700 border-slate-300",
  deactivated: "bg-slate-100 text-slate-700 border-slate-300",
  revoked: "bg-rose-100 text-rose-900 border-rose-300",
  denied: "bg-rose-100 text-rose-900 border-rose-300",
  cancelled: "bg-slate-100 text-slate-700 border-slate-300",
  timed_out: "bg-slate-100 text-slate-700 border-slate-300",
  failed: "bg-rose-100 text-rose-900 border-rose-300",
};

export function StatusBadge({ status, label }: { status: RequestStatus; label: string }) {
  return (
    <span
      className={`inline-block rounded-full border px-2 py-0.5 text-xs font-semibold ${TONES[status]}`}
      data-status={status}
    >
      {label}
    </span>
  );
}
