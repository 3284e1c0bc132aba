"use client";
import { useActionState } from "react";
import { EMPTY_FORM_STATE } from "@/lib/access/form-state-empty";
import { decideAction } from "../actions";

export function DecisionForm({ requestId }: { requestId: string }) {
  const [state, formAction, isPending] = useActionState(decideAction.bind(null, requestId), EMPTY_FORM_STATE);
  const commentError = state.fields.comment;
  return (
    <form action={formAction} className="space-y-3">
      {state.message && !commentError ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.message}
        </p>
      ) : null}
      <div>
        <label htmlFor="comment" className="block text-sm font-semibold">
          Comment <span className="font-normal text-slate-600">(required to deny; the requester reads it)</span>
        </label>
        <textarea
          id="comment"
          name="comment"
          rows={3}
          className="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-sm"
          aria-invalid={Boolean(commentError)}
          aria-describedby={commentError ? "comment-error" : undefined}
        />
        {commentError ? (
          <p id="comment-error" role="alert" className="mt-1 text-sm font-medium text-red-700">
            {commentError}
          </p>
        ) : null}
      </div>
      <div className="flex gap-3">
        <button
          type="submit"
          name="outcome"
          value="approve"
          disabled={isPending}
          className="rounded-md bg-emerald-700 px-4 py-2 font-medium text-white hover:bg-emerald-800 disabled:opacity-60"
        >
          Approve
        </button>
        <button
          type="submit"
          name="outcome"
          value="deny"
          disabled={isPending}
          className="rounded-md bg-rose-700 px-4 py-2 font-medium text-white hover:bg-rose-800 disabled:opacity-60"
        >
          Deny
        </button>
      </div>
    </form>
  );
}
