"use client";
import Link from "next/link";
import { startTransition, useActionState, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { describeStepUpFailure, freshSignIn, prepareFreshSignIn, type StepUpSettings } from "@/components/step-up";
import { CONTROL, Field, FieldError, LABEL } from "@/components/ui/field";
import { EMPTY_FORM_STATE, type FormState } from "@/lib/forms";
import type { RolePolicy } from "@/lib/domain/policy-types";
import { describeDuration, toIsoDuration } from "@/lib/domain/duration";
import { policyRules } from "@/lib/domain/policy-summary";
import { parseWallTime, toWallTime, WALL_TIME_FORMAT } from "@/lib/domain/time-zone";
import { useTimeZone } from "@/components/time-zone";
import { PostureHint } from "@/components/posture-badges";
import type { PostureBadge } from "@/lib/posture/posture-badges";
import { submitRequest } from "../actions";

export interface EligibleCluster {
  name: string;
  displayName: string;
  environment: string;
  roles: Array<{ name: string; description: string; policy: RolePolicy }>;
}

const STEPS = [15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080];

function durationOptions(policy: RolePolicy) {
  const options = new Set(STEPS.filter((m) => m <= policy.maxDurationMinutes));
  options.add(policy.defaultDurationMinutes);
  options.add(policy.maxDurationMinutes);
  return [...options].sort((a, b) => a - b);
}

interface RequestFormProps {
  clusters: EligibleCluster[];
  /** a cluster and role to start with (already checked to be eligible) */
  prefill?: { cluster: string; role: string };
  /** where the step-up popup signs in, when a role offers break-glass behind a fresh sign-in */
  stepUp?: StepUpSettings;
  /** each cluster's ways in without AKS JIT (lib/posture/posture-badges.ts), by cluster name */
  postureBadges?: Record<string, PostureBadge[]>;
}

/** The fields of the form, in the order a refusal is looked for: focus goes to the first in error. */
const FIELD_ORDER = ["cluster", "role", "duration", "justification", "ticket", "startAt", "breakGlass"];

/** The start time field's text (`YYYY-MM-DD HH:MM` in the viewer's zone) for an instant the form sent as ISO 8601. */
function startFieldValue(iso: string | undefined, zone: string) {
  const date = iso ? new Date(iso) : undefined;
  return date && !Number.isNaN(date.getTime()) ? toWallTime(date, zone) : (iso ?? "");
}

/**
 * React resets a form after its action; each answer of the action therefore mounts the fields
 * afresh from what was submitted (`state.values`), so that a refusal keeps every value, consistent
 * with each other, and focus goes to what needs fixing. Without JavaScript, the server renders the
 * same state.
 */
/** Break-glass on a role with `stepUp` asks for a fresh sign-in in a popup first, as approving does. */
export function RequestForm(props: RequestFormProps) {
  const [state, formAction, isPending] = useActionState<FormState, FormData>(submitRequest, EMPTY_FORM_STATE);
  const [answered, setAnswered] = useState({ state, count: 0 });
  if (answered.state !== state) setAnswered({ state, count: answered.count + 1 });
  return (
    <RequestFieldset
      key={answered.count}
      {...props}
      state={state}
      isAnswer={answered.count > 0}
      formAction={formAction}
      isPending={isPending}
    />
  );
}

function RequestFieldset({
  clusters,
  prefill,
  stepUp,
  postureBadges,
  state,
  isAnswer,
  formAction,
  isPending,
}: RequestFormProps & {
  state: FormState;
  /** whether `state` is the action's answer (then focus moves to what it says) */
  isAnswer: boolean;
  formAction: (form: FormData) => void;
  isPending: boolean;
}) {
  const typed = state.values ?? {};
  const [popupFailure, setPopupFailure] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);
  const [isBreakGlass, setIsBreakGlass] = useState(typed.breakGlass === "on");
  const [clusterName, setClusterName] = useState(typed.cluster ?? prefill?.cluster ?? clusters[0]?.name ?? "");
  const cluster = clusters.find((c) => c.name === clusterName) ?? clusters[0];
  const [roleName, setRoleName] = useState(typed.role ?? prefill?.role ?? cluster?.roles[0]?.name ?? "");
  const role = cluster?.roles.find((r) => r.name === roleName) ?? cluster?.roles[0];
  const [duration, setDuration] = useState(
    typed.duration ?? (role ? toIsoDuration(role.policy.defaultDurationMinutes) : ""),
  );
  const [start, setStart] = useState<"now" | "later">(typed.start === "later" ? "later" : "now");
  const zone = useTimeZone();
  const [startLocal, setStartLocal] = useState(() => startFieldValue(typed.startAt, zone));
  // What is not a time goes as typed, for the server to refuse next to the field.
  const startIso = useMemo(
    () => (startLocal ? (parseWallTime(startLocal, zone)?.toISOString() ?? startLocal) : ""),
    [startLocal, zone],
  );
  // One submission at a time: a second click before the answer would file the same request again.
  const isSubmitting = useRef(false);
  const messageRef = useRef<HTMLParagraphElement>(null);
  const error = (field: string) => state.fields[field];
  const hasPrefill = prefill !== undefined;
  const needsStepUp = Boolean(isBreakGlass && role?.policy.isBreakGlassAllowed && role.policy.stepUp);

  useEffect(() => {
    if (!isAnswer || (!state.message && Object.keys(state.fields).length === 0)) return;
    const field = FIELD_ORDER.find((name) => state.fields[name]);
    const control = field ? document.getElementById(field) : null;
    (control ?? messageRef.current)?.focus();
  }, [isAnswer, state]);
  // Arrived from a role's link ("What you can request", "Request more time"): the form is where to go on.
  useEffect(() => {
    if (!isAnswer && hasPrefill) document.getElementById("role")?.focus();
  }, [isAnswer, hasPrefill]);
  useEffect(() => {
    if (popupFailure) messageRef.current?.focus();
  }, [popupFailure]);
  // Break-glass behind a fresh sign-in is ticked: load the popup's code now rather than at submit.
  useEffect(() => {
    if (needsStepUp && stepUp) prepareFreshSignIn(stepUp);
  }, [needsStepUp, stepUp]);

  if (!cluster || !role)
    return <p>You are not eligible for any role yet. Ask a platform admin which group grants access.</p>;
  const { policy } = role;
  const message = popupFailure ?? state.message;
  const chooseRole = (next: EligibleCluster["roles"][number] | undefined) => {
    setRoleName(next?.name ?? "");
    if (next) setDuration(toIsoDuration(next.policy.defaultDurationMinutes));
  };

  async function submitWithStepUp(event: FormEvent<HTMLFormElement>) {
    if (isSubmitting.current) return event.preventDefault();
    isSubmitting.current = true;
    setPopupFailure(null);
    if (!needsStepUp || !stepUp || !policy.stepUp) return;
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsSigningIn(true);
    try {
      form.set("stepUpToken", await freshSignIn(stepUp, policy.stepUp.authenticationContext));
      startTransition(() => formAction(form));
    } catch (error) {
      isSubmitting.current = false;
      setPopupFailure(describeStepUpFailure(error, "request"));
    } finally {
      setIsSigningIn(false);
    }
  }

  return (
    <form action={formAction} onSubmit={submitWithStepUp} className="grid gap-5 md:grid-cols-[1fr_18rem]" noValidate>
      <div className="space-y-4">
        {message ? (
          <p
            ref={messageRef}
            tabIndex={-1}
            role="alert"
            className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800"
          >
            {message}
            {!popupFailure && state.link ? (
              <>
                {" "}
                <Link href={state.link.href} className="font-medium underline">
                  {state.link.label}
                </Link>
              </>
            ) : null}
          </p>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id="cluster"
            label="Cluster"
            hint={
              postureBadges?.[cluster.name]?.length ? <PostureHint badges={postureBadges[cluster.name]} /> : undefined
            }
            error={error("cluster")}
          >
            {(control) => (
              <select
                {...control}
                name="cluster"
                className={CONTROL}
                value={cluster.name}
                onChange={(e) => {
                  setClusterName(e.target.value);
                  chooseRole(clusters.find((c) => c.name === e.target.value)?.roles[0]);
                }}
              >
                {clusters.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name} ({c.environment})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="role" label="Role" hint={role.description} error={error("role")}>
            {(control) => (
              <select
                {...control}
                name="role"
                className={CONTROL}
                value={role.name}
                onChange={(e) => chooseRole(cluster.roles.find((r) => r.name === e.target.value))}
              >
                {cluster.roles.map((r) => (
                  <option key={r.name} value={r.name}>
                    {r.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field
          id="duration"
          label="Duration"
          hint={`At most ${describeDuration(policy.maxDurationMinutes)}.`}
          error={error("duration")}
        >
          {(control) => (
            <select
              {...control}
              name="duration"
              className={CONTROL}
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
            >
              {durationOptions(policy).map((m) => (
                <option key={m} value={toIsoDuration(m)}>
                  {describeDuration(m)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="justification"
          label={`Justification${policy.justification.isRequired ? "" : " (optional)"}`}
          hint={`What you will do and why; approvers and auditors read it.${policy.justification.message ? ` ${policy.justification.message}` : ""}`}
          error={error("justification")}
        >
          {(control) => (
            <textarea
              {...control}
              name="justification"
              rows={3}
              className={CONTROL}
              defaultValue={typed.justification}
            />
          )}
        </Field>
        <Field
          id="ticket"
          label={`Ticket${policy.ticket.isRequired ? "" : " (optional)"}`}
          hint={
            <>
              {policy.ticket.message ?? "An incident or change reference, if you have one."}
              {policy.ticket.isRequired && policy.isBreakGlassAllowed ? " With break-glass it may follow later." : null}
            </>
          }
          error={error("ticket")}
        >
          {(control) => (
            <input
              {...control}
              name="ticket"
              className={CONTROL}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              defaultValue={typed.ticket}
            />
          )}
        </Field>
        <fieldset>
          <legend className={LABEL}>Start</legend>
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="start" value="now" checked={start === "now"} onChange={() => setStart("now")} />
              As soon as approved
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="start"
                value="later"
                checked={start === "later"}
                disabled={!policy.isScheduledStartAllowed}
                onChange={() => setStart("later")}
              />
              Later{policy.isScheduledStartAllowed ? "" : " (not allowed for this role)"}
            </label>
          </div>
          {start === "later" ? (
            <div className="mt-2">
              <Field
                id="startAt"
                label={<span className="font-normal">Start time ({zone})</span>}
                hint={`${WALL_TIME_FORMAT}, 24-hour, in ${zone} time, e.g. 2026-12-24 09:30.`}
                error={error("startAt")}
              >
                {(control) => (
                  <input
                    {...control}
                    type="text"
                    inputMode="numeric"
                    placeholder={WALL_TIME_FORMAT}
                    autoComplete="off"
                    className={CONTROL}
                    value={startLocal}
                    onChange={(e) => setStartLocal(e.target.value)}
                  />
                )}
              </Field>
              <input type="hidden" name="startAt" value={startIso} />
            </div>
          ) : null}
        </fieldset>
        {policy.isBreakGlassAllowed ? (
          <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            <label className="flex items-start gap-2">
              <input
                type="checkbox"
                id="breakGlass"
                name="breakGlass"
                className="mt-1"
                aria-describedby={error("breakGlass") ? "break-glass-hint breakGlass-error" : "break-glass-hint"}
                aria-invalid={Boolean(error("breakGlass"))}
                checked={isBreakGlass}
                onChange={(e) => setIsBreakGlass(e.target.checked)}
              />
              <span>
                <strong>Break-glass</strong>: activate now without approval.
              </span>
            </label>
            <p id="break-glass-hint" className="mt-1 text-slate-700">
              For emergencies only: it is flagged in the audit history for review afterwards, and the justification is
              required.
              {policy.ticket.isRequired ? " No ticket yet? Leave it empty: the review asks for it afterwards." : null}
              {policy.stepUp
                ? ` This role asks you to sign in again first: a sign-in window opens when you submit (your sign-in must be at most ${policy.stepUp.maxAgeMinutes} minutes old).`
                : null}
            </p>
            <FieldError id="breakGlass-error" message={error("breakGlass")} />
          </div>
        ) : null}
        <button
          type="submit"
          disabled={isPending || isSigningIn}
          className="rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-900 disabled:opacity-60"
        >
          {isSigningIn ? "Signing in…" : isPending ? "Submitting…" : "Request access"}
        </button>
      </div>
      <aside aria-labelledby="rules-title" className="h-fit rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm">
        <h3 id="rules-title" className="font-semibold">
          Rules for {role.name} on {cluster.name}
        </h3>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
          {policyRules(policy).map((rule) => (
            <li key={rule}>{rule}</li>
          ))}
        </ul>
      </aside>
    </form>
  );
}
