"use client";
import { useActionState } from "react";
import { CONTROL, Field } from "@/components/ui/field";
import { EMPTY_FORM_STATE } from "@/lib/forms";
import { revokeAction } from "../actions";

/** A platform admin takes the access away, saying why; optionally signs the holder out of Entra ID too. */
export function RevokeForm({ requestId, holder }: { requestId: string; holder: string }) {
  const [state, formAction, isPending] = useActionState(revokeAction.bind(null, requestId), EMPTY_FORM_STATE);
  const reasonError = state.fields.reason;
  return (
    <form action={formAction} className="space-y-3" noValidate>
      {state.message && !reasonError ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <Field
        id="revoke-reason"
        label={
          <>
            Reason <span className="font-normal text-slate-600">(required; {holder} and the auditors read it)</span>
          </>
        }
        error={reasonError}
        isAlert
      >
        {(control) => (
          // What was typed survives a refusal: React resets the form to these defaults after the action.
          <textarea
            {...control}
            name="reason"
            rows={3}
            aria-required="true"
            className={CONTROL}
            defaultValue={state.values?.reason}
          />
        )}
      </Field>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          name="endSessions"
          className="mt-1"
          aria-describedby="end-sessions-hint"
          defaultChecked={state.values?.endSessions === "on"}
        />
        <span>Also sign them out of Entra ID (revoke sign-in sessions)</span>
      </label>
      <p id="end-sessions-hint" className="text-xs text-slate-600">
        New tokens then need a fresh sign-in; tokens already issued stay valid until they expire.
      </p>
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md bg-rose-700 px-4 py-2 font-medium text-white hover:bg-rose-800 disabled:opacity-60"
      >
        {isPending ? "Revoking…" : "Revoke access"}
      </button>
    </form>
  );
}
