"use client";
import { useActionState } from "react";
import { EMPTY_FORM_STATE, type FormState } from "@/lib/forms";
import { savePreferencesAction } from "../actions";

/**
 * The viewer's channels: mail on or off. Chat (Teams, Slack) posts to a team's channel that the
 * role's notification route names, so it is not a personal choice; urgent news still mails.
 */
export function ChannelPreferences({ isEmailEnabled }: { isEmailEnabled: boolean }) {
  const [state, formAction, isPending] = useActionState(
    savePreferencesAction as (previous: FormState<string>, form: FormData) => Promise<FormState<string>>,
    EMPTY_FORM_STATE as FormState<string>,
  );
  const isChecked = state.values ? state.values.email === "on" : isEmailEnabled;
  return (
    <section aria-labelledby="channels-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="channels-heading" className="text-lg font-semibold text-slate-900">
        How you are told
      </h2>
      <form action={formAction} className="mt-3 space-y-3">
        {state.message ? (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.message}
          </p>
        ) : null}
        <div className="flex items-start gap-2">
          <input
            key={String(isChecked)}
            id="channel-email"
            type="checkbox"
            name="email"
            className="mt-1 h-4 w-4"
            aria-describedby="channel-email-hint"
            defaultChecked={isChecked}
          />
          <div>
            <label htmlFor="channel-email" className="text-sm font-semibold text-slate-800">
              Send me notification mail
            </label>
            <p id="channel-email-hint" className="text-xs text-slate-600">
              This list always shows everything. Break-glass use and revoked access still reach you by mail when mail is
              off: nobody should miss access taken without approval or taken away. Teams and Slack posts go to your
              team&apos;s channel as each role is set up by the platform team, not to you alone.
            </p>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="submit"
            disabled={isPending}
            className="rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60"
          >
            {isPending ? "Saving…" : "Save"}
          </button>
          <p role="status" className="text-sm text-slate-700">
            {isPending ? "" : (state.result ?? "")}
          </p>
        </div>
      </form>
    </section>
  );
}
