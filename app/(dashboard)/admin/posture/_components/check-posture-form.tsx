"use client";
import { useActionState } from "react";
import { checkPostureAction, type PostureCheckState } from "../actions";

const INITIAL: PostureCheckState = { message: null, fields: {}, result: null };
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Reads every cluster's posture now and says how it went; the clusters below refresh with it. */
export function CheckPostureForm() {
  const [state, formAction, isPending] = useActionState(checkPostureAction, INITIAL);
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
        {isPending ? "Reading each cluster's settings and role assignments from Azure…" : null}
        {!isPending && result
          ? `Checked ${plural(result.checked, "cluster")}` +
            (result.changed > 0 ? `, ${result.changed} changed since the last check` : "") +
            (result.failed > 0 ? `; ${plural(result.failed, "check")} failed (see the cluster).` : ".")
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
