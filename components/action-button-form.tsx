"use client";
import { useActionState, useEffect, useId, useRef, useState } from "react";
import { EMPTY_FORM_STATE, type FormState } from "@/lib/forms";

const BUTTON = "rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100";

/**
 * One button that runs a server action, shows progress while it runs and its refusal if any. With
 * `confirm`, the first press asks in place (no browser dialog) and only the second one runs it;
 * focus moves to the confirming button, and back when the person keeps things as they are.
 */
export function ActionButtonForm(props: {
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  label: string;
  pendingLabel: string;
  hint?: string;
  /** words only screen readers hear after the label, to tell apart several such buttons on a page */
  context?: string;
  confirm?: { question: string; yes: string; no: string };
}) {
  const [state, formAction, isPending] = useActionState(props.action, EMPTY_FORM_STATE);
  const [isConfirming, setIsConfirming] = useState(false);
  const questionId = useId();
  const yesRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const hasAsked = useRef(false);
  useEffect(() => {
    if (isConfirming) yesRef.current?.focus();
    else if (hasAsked.current) askRef.current?.focus();
  }, [isConfirming]);
  const suffix = props.context ? <span className="sr-only"> {props.context}</span> : null;

  return (
    <form action={formAction}>
      {state.message ? (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      {props.hint ? <p className="mb-2 text-sm text-slate-700">{props.hint}</p> : null}
      {props.confirm && isConfirming ? (
        <div role="group" aria-labelledby={questionId} className="rounded-md border border-amber-300 bg-amber-50 p-3">
          <p id={questionId} className="mb-2 text-sm font-medium text-slate-900">
            {props.confirm.question}
          </p>
          <div className="flex flex-wrap gap-2">
            <button
              ref={yesRef}
              type="submit"
              disabled={isPending}
              className="rounded-md bg-rose-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-800 disabled:opacity-60"
            >
              {isPending ? props.pendingLabel : props.confirm.yes}
              {suffix}
            </button>
            <button type="button" disabled={isPending} className={BUTTON} onClick={() => setIsConfirming(false)}>
              {props.confirm.no}
            </button>
          </div>
        </div>
      ) : props.confirm ? (
        <button
          ref={askRef}
          type="button"
          className={BUTTON}
          onClick={() => {
            hasAsked.current = true;
            setIsConfirming(true);
          }}
        >
          {props.label}
          {suffix}
        </button>
      ) : (
        <button type="submit" disabled={isPending} className={BUTTON}>
          {isPending ? props.pendingLabel : props.label}
          {suffix}
        </button>
      )}
    </form>
  );
}
