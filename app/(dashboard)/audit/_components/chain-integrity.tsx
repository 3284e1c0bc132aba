import { ActionButtonForm } from "@/components/action-button-form";
import { LocalTime } from "@/components/local-time";
import type { VerificationView } from "@/lib/audit/verification";
import { verifyChainAction } from "../actions";

/** The last check of the audit chain, and a button to check it again now. */
export function ChainIntegrity({ last }: { last: VerificationView | null }) {
  return (
    <div className="space-y-3" aria-live="polite">
      {last === null ? (
        <p className="text-slate-700">The chain has not been verified from the app yet.</p>
      ) : last.isIntact ? (
        <p className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm">
          <strong>Intact.</strong> All {last.events.toLocaleString("en-GB")} chained events link to the one before and
          match their hashes
          {last.unchained > 0 ? ` (${last.unchained} earlier events predate the chain)` : ""}. Checked{" "}
          <LocalTime iso={last.ranAt} /> by {last.ranBy ?? "the system"} in {last.durationMs} ms; last event #
          {last.lastSeq ?? "none"}
          {last.lastHash ? (
            <>
              , hash <code className="break-all">{last.lastHash}</code>
            </>
          ) : null}
          .
        </p>
      ) : (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
          <strong>Broken at event #{last.broken?.seq}</strong>: {last.broken?.reason}. The{" "}
          {last.events.toLocaleString("en-GB")} events before it are intact. Checked <LocalTime iso={last.ranAt} /> by{" "}
          {last.ranBy ?? "the system"}. Treat the history from that event on as altered and investigate who had database
          access.
        </p>
      )}
      <ActionButtonForm
        action={verifyChainAction}
        label="Verify the chain now"
        pendingLabel="Verifying…"
        hint="Walks every event in order and recomputes its hash; the result is kept here and in the history."
      />
    </div>
  );
}
