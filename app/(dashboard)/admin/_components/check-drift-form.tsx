"use client";
import { useActionState } from "react";
import { checkDriftAction, type DriftCheckState } from "../actions";

const INITIAL: DriftCheckState = { message: null, fields: {}, result: null };
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Runs the drift check now and says what it found; the findings list below refreshes with it. */
export function CheckDriftForm() {
  const [state, formAction, isPending] = useActionState(checkDriftAction, INITIAL);
  const { result } = state;
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
      >
        {isPending ? "Checking…" : "Check now"}
      </button>
      <p role="status" className="text-sm text-slate-700">
        {isPending ? "Comparing Entra ID and Azure with the grants on record…" : null}
        {!isPending && result
          ? `Checked ${plural(result.bindings, "binding")}: ${plural(result.open, "open finding")}` +
            (result.skipped > 0 ? `, ${plural(result.skipped, "binding")} could not be read (see the logs).` : ".")
          : null}
      </p>
      {state.message ? (
        <p role="alert" className="w-full text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
