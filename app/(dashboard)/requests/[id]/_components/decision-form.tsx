"use client";
import {
  startTransition,
  useActionState,
  useEffect,
  useId,
  useRef,
  useState,
  type MouseEvent,
  type RefObject,
} from "react";
import { CONTROL, Field } from "@/components/ui/field";
import { EMPTY_FORM_STATE } from "@/lib/forms";
import { decideAction } from "../actions";
import { describeStepUpFailure, freshSignIn, prepareFreshSignIn, type StepUpSettings } from "@/components/step-up";

const APPROVE = "rounded-md bg-emerald-700 px-4 py-2 font-medium text-white hover:bg-emerald-800 disabled:opacity-60";
const DENY = "rounded-md bg-rose-700 px-4 py-2 font-medium text-white hover:bg-rose-800 disabled:opacity-60";

/**
 * Approve or deny; when the role asks for step-up, Approve first opens a fresh sign-in in a popup.
 * "Then open the next request" (Approve & next) is ticked already when the approver came from the
 * previous one that way (`isInQueue`), so that working through a queue is one click per request.
 */
export function DecisionForm({
  requestId,
  stepUp,
  isInQueue = false,
}: {
  requestId: string;
  stepUp?: StepUpSettings;
  isInQueue?: boolean;
}) {
  const [state, formAction, isPending] = useActionState(decideAction.bind(null, requestId), EMPTY_FORM_STATE);
  const [popupFailure, setPopupFailure] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const buttonsRef = useRef<HTMLDivElement>(null);
  const formId = useId();
  const isButtonsInView = useIsInView(buttonsRef);
  const commentError = state.fields.comment;
  const message = popupFailure ?? (state.message && !commentError ? state.message : null);
  const isBusy = isPending || isSigningIn;

  async function approveWithStepUp() {
    if (!stepUp || !formRef.current) return;
    setPopupFailure(null);
    setIsSigningIn(true);
    try {
      const token = await freshSignIn(stepUp);
      const form = new FormData(formRef.current);
      form.set("outcome", "approve");
      form.set("stepUpToken", token);
      startTransition(() => formAction(form));
    } catch (error) {
      setPopupFailure(describeStepUpFailure(error));
    } finally {
      setIsSigningIn(false);
    }
  }

  /** Deny needs a comment: with none typed, take the approver to the field rather than refuse. */
  function denyFromBar(event: MouseEvent<HTMLButtonElement>) {
    const comment = formRef.current?.elements.namedItem("comment");
    if (comment instanceof HTMLTextAreaElement && comment.value.trim() === "") {
      event.preventDefault();
      comment.focus();
    }
  }

  const buttons = {
    formId,
    hasStepUp: Boolean(stepUp),
    isBusy,
    isSigningIn,
    onApproveWithStepUp: approveWithStepUp,
    // The approver is about to decide (in the form, or reaching for Approve in the phone's bar): the
    // popup's code loads now rather than after the click.
    onApproachApprove: stepUp ? () => prepareFreshSignIn(stepUp) : undefined,
  };
  return (
    <>
      <form
        ref={formRef}
        id={formId}
        action={formAction}
        className="space-y-3"
        onSubmit={() => setPopupFailure(null)}
        onFocus={buttons.onApproachApprove}
      >
        {message ? (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
            {message}
          </p>
        ) : null}
        {stepUp ? (
          <p
            id="step-up-note"
            className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          >
            This role requires a fresh sign-in to approve: Approve opens a Microsoft sign-in window, and your sign-in
            must be at most {stepUp.maxAgeMinutes} minutes old
            {stepUp.authenticationContext
              ? ` and satisfy your organisation's authentication context ${stepUp.authenticationContext}`
              : ""}
            .
          </p>
        ) : null}
        <Field
          id="comment"
          label={
            <>
              Comment <span className="font-normal text-slate-600">(required to deny; the requester reads it)</span>
            </>
          }
          error={commentError}
          isAlert
        >
          {(control) => (
            // What was typed survives a refusal: React resets the form to these defaults after the action.
            <textarea {...control} name="comment" rows={3} className={CONTROL} defaultValue={state.values?.comment} />
          )}
        </Field>
        <label className="flex items-start gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            name="then"
            value="next"
            defaultChecked={state.values ? state.values.then === "next" : isInQueue}
            className="mt-0.5 size-4 shrink-0 accent-brand-700"
          />
          <span>Then open the next request waiting for me (oldest first)</span>
        </label>
        <div ref={buttonsRef} className="flex gap-3">
          <DecisionButtons {...buttons} />
        </div>
      </form>
      {/* On a phone the form sits at the foot of a long page: the decision stays in reach at the bottom
        of the screen until the form's own buttons are in view. */}
      {isButtonsInView ? null : (
        <div
          role="group"
          aria-label="Decide this request"
          data-testid="decision-bar"
          className="fixed inset-x-0 bottom-0 z-20 border-t border-slate-300 bg-white px-4 py-3 shadow-[0_-2px_6px_rgba(0,0,0,0.08)] lg:hidden"
        >
          <div className="mx-auto flex max-w-6xl items-center gap-3">
            <p className="min-w-0 flex-1 text-sm text-slate-700">
              {message ? <span className="font-medium text-red-800">{message}</span> : "Awaiting your decision"}
            </p>
            <DecisionButtons {...buttons} onDeny={denyFromBar} />
          </div>
        </div>
      )}
    </>
  );
}

/** Whether the element is on screen now (false until the browser says so). */
function useIsInView(ref: RefObject<HTMLElement | null>) {
  const [isInView, setIsInView] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver(([entry]) => setIsInView(entry?.isIntersecting ?? false));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return isInView;
}

/** Approve (through the step-up popup when the role asks for it) and Deny: in the form, and again in the phone's bar. */
function DecisionButtons(props: {
  formId: string;
  hasStepUp: boolean;
  isBusy: boolean;
  isSigningIn: boolean;
  onApproveWithStepUp: () => void;
  onApproachApprove?: () => void;
  onDeny?: (event: MouseEvent<HTMLButtonElement>) => void;
}) {
  return (
    <>
      {props.hasStepUp ? (
        <button
          type="button"
          onClick={props.onApproveWithStepUp}
          onPointerEnter={props.onApproachApprove}
          onFocus={props.onApproachApprove}
          onTouchStart={props.onApproachApprove}
          disabled={props.isBusy}
          aria-describedby="step-up-note"
          className={APPROVE}
        >
          {props.isSigningIn ? "Signing in…" : "Approve"}
        </button>
      ) : (
        <button
          type="submit"
          form={props.formId}
          name="outcome"
          value="approve"
          disabled={props.isBusy}
          className={APPROVE}
        >
          Approve
        </button>
      )}
      <button
        type="submit"
        form={props.formId}
        name="outcome"
        value="deny"
        disabled={props.isBusy}
        onClick={props.onDeny}
        className={DENY}
      >
        Deny
      </button>
    </>
  );
}
