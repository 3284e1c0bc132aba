"use client";
import { useActionState } from "react";
import type { FormState } from "@/lib/access/form-state";
import { EMPTY_FORM_STATE } from "@/lib/access/form-state-empty";

/** One button that runs a server action, shows progress while it runs and its refusal if any. */
export function ActionButtonForm(props: {
  action: (previous: FormState) => Promise<FormState>;
  label: string;
  pendingLabel: string;
  hint?: string;
}) {
  const [state, formAction, isPending] = useActionState(props.action, EMPTY_FORM_STATE);
  return (
    <form action={formAction}>
      {state.message ? (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      {props.hint ? <p className="mb-2 text-sm text-slate-700">{props.hint}</p> : null}
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        {isPending ? props.pendingLabel : props.label}
      </button>
    </form>
  );
}
