"use client";
import { useActionState } from "react";
import type { FormState } from "@/lib/forms";

type Result = {
  status: "summarised" | "unavailable";
  totalCalls: number;
  afterEndCalls: number;
  isComplete: boolean;
} | null;
type State = FormState<Result>;

const INITIAL: State = { message: null, fields: {}, result: null };
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

function outcome(result: NonNullable<Result>) {
  if (result.status === "unavailable") return "The activity could not be read: see why below.";
  const afterEnd = result.afterEndCalls > 0 ? `, ${plural(result.afterEndCalls, "call")} after access ended` : "";
  return `Summarised ${plural(result.totalCalls, "call")}${afterEnd}${result.isComplete ? "." : "; provisional until tokens expire."}`;
}

/** "Check activity now": reads the audit logs for this request again and says what it found. */
export function CheckActivityForm({
  requestId,
  action,
}: {
  requestId: string;
  action: (previous: State, form: FormData) => Promise<State>;
}) {
  const [state, formAction, isPending] = useActionState(action, INITIAL);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="requestId" value={requestId} />
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
      >
        {isPending ? "Checking…" : "Check activity now"}
      </button>
      <p role="status" className="text-sm text-slate-700" data-testid="activity-check-status">
        {isPending ? "Reading the cluster's audit logs and the node sign-ins…" : null}
        {!isPending && state.result ? outcome(state.result) : null}
      </p>
      {state.message ? (
        <p role="alert" className="w-full text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
