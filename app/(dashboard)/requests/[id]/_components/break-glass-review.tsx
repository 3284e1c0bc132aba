"use client";
import { useActionState, useEffect, useRef } from "react";
import { CONTROL, Field } from "@/components/ui/field";
import { EMPTY_FORM_STATE } from "@/lib/forms";
import { reviewBreakGlassAction } from "../actions";

/**
 * "Mark reviewed": the reviewer's note and, where the break-glass request was filed without its
 * ticket, the late ticket or why none exists. The rules are the server's (lib/domain/break-glass-review.ts).
 */
export function BreakGlassReviewForm({
  requestId,
  isTicketOwed,
  ticketHint,
}: {
  requestId: string;
  isTicketOwed: boolean;
  ticketHint: string | null;
}) {
  const [state, formAction, isPending] = useActionState(reviewBreakGlassAction.bind(null, requestId), EMPTY_FORM_STATE);
  const formRef = useRef<HTMLFormElement>(null);
  const { note, ticket, noTicketReason } = state.fields;
  const hasFieldError = Boolean(note || ticket || noTicketReason);
  useEffect(() => {
    // A refused review takes the reviewer to the first field to fix.
    formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }, [state]);
  return (
    <form ref={formRef} action={formAction} className="space-y-3" noValidate>
      {state.message && !hasFieldError ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <Field
        id="review-note"
        label={
          <>
            Review note <span className="font-normal text-slate-600">(required; kept in the audit trail)</span>
          </>
        }
        hint="What you checked: was the emergency real, was the access used for it, anything to follow up."
        error={note}
        isAlert
      >
        {(control) => (
          <textarea
            {...control}
            name="note"
            rows={3}
            maxLength={2000}
            aria-required="true"
            className={CONTROL}
            defaultValue={state.values?.note}
          />
        )}
      </Field>
      {isTicketOwed ? (
        <fieldset className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-3">
          <legend className="px-1 text-sm font-semibold text-amber-900">The ticket is still owed</legend>
          <Field id="review-ticket" label="Late ticket" hint={ticketHint ?? undefined} error={ticket} isAlert>
            {(control) => (
              <input
                {...control}
                name="ticket"
                maxLength={100}
                autoComplete="off"
                className={CONTROL}
                defaultValue={state.values?.ticket}
              />
            )}
          </Field>
          <Field
            id="review-no-ticket"
            label="Or: why no ticket exists"
            hint="Only when there is no ticket to give."
            error={noTicketReason}
            isAlert
          >
            {(control) => (
              <input
                {...control}
                name="noTicketReason"
                maxLength={500}
                className={CONTROL}
                defaultValue={state.values?.noTicketReason}
              />
            )}
          </Field>
        </fieldset>
      ) : null}
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {isPending ? "Saving…" : "Mark reviewed"}
      </button>
    </form>
  );
}
