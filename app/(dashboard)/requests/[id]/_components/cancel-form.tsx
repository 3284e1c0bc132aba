"use client";
import { useActionState } from "react";
import { EMPTY_FORM_STATE } from "@/lib/access/form-state-empty";
import { cancelAction } from "../actions";

export function CancelForm({ requestId }: { requestId: string }) {
  const [state, formAction, isPending] = useActionState(cancelAction.bind(null, requestId), EMPTY_FORM_STATE);
  return (
    <form action={formAction}>
      {state.message ? (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        Cancel this request
      </button>
    </form>
  );
}
