"use client";
import { useActionState } from "react";
import { EMPTY_FORM_STATE } from "@/lib/access/form-state-empty";
import { endEarlyAction } from "../actions";

export function EndEarlyForm({ requestId }: { requestId: string }) {
  const [state, formAction, isPending] = useActionState(endEarlyAction.bind(null, requestId), EMPTY_FORM_STATE);
  return (
    <form action={formAction}>
      {state.message ? (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <p className="mb-2 text-sm text-slate-700">Done already? Give the access back now rather than at its end.</p>
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        {isPending ? "Ending…" : "End access now"}
      </button>
    </form>
  );
}
