"use client";
import { useActionState, useId } from "react";
import { Field } from "@/components/ui/field";
import { EMPTY_FORM_STATE, type FormState } from "@/lib/forms";
import { describeDuration, toIsoDuration } from "@/lib/domain/duration";

const STEPS = [15, 30, 60, 120, 240];

function extensionOptions(maxMoreMinutes: number) {
  const options = STEPS.filter((minutes) => minutes <= maxMoreMinutes);
  return options.length > 0 ? options : [maxMoreMinutes];
}

/** The holder pushes the end of active access out, by one of a few steps within what the policy still allows. */
export function ExtendForm(props: {
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  maxMoreMinutes: number;
  /** words only screen readers hear after "Extend", to tell apart several such forms on a page */
  context?: string;
}) {
  const [state, formAction, isPending] = useActionState(props.action, EMPTY_FORM_STATE);
  const id = useId();
  const options = extensionOptions(props.maxMoreMinutes);
  const error = state.fields.duration;
  return (
    <form action={formAction} className="space-y-2">
      {state.message && !error ? (
        <p role="alert" className="text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <Field
        id={`${id}-duration`}
        label="Extend by"
        hint={`You can add up to ${describeDuration(props.maxMoreMinutes)} more; the end moves at once.`}
        error={error}
        isAlert
      >
        {(control) => (
          <div className="flex flex-wrap items-end gap-2">
            <select
              {...control}
              name="duration"
              // The choice survives a refusal: React resets the form to this default after the action.
              defaultValue={state.values?.duration ?? toIsoDuration(options.includes(30) ? 30 : options[0]!)}
              className="mt-1 block rounded-md border border-slate-400 bg-white px-3 py-1.5 text-sm aria-[invalid=true]:border-red-600"
            >
              {options.map((minutes) => (
                <option key={minutes} value={toIsoDuration(minutes)}>
                  {describeDuration(minutes)}
                </option>
              ))}
            </select>
            <button
              type="submit"
              disabled={isPending}
              className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
            >
              {isPending ? "Extending…" : "Extend"}
              {props.context ? <span className="sr-only"> {props.context}</span> : null}
            </button>
          </div>
        )}
      </Field>
    </form>
  );
}
