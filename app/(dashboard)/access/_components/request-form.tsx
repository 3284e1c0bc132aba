"use client";
import Link from "next/link";
import { startTransition, useActionState, useMemo, useState, type FormEvent } from "react";
import { StepUpProvider, describeStepUpFailure, useFreshSignIn, type StepUpSettings } from "@/components/step-up";
import { EMPTY_FORM_STATE } from "@/lib/access/form-state-empty";
import type { RolePolicy, StepUpRule } from "@/lib/domain/policy-types";
import { describeDuration, toIsoDuration } from "@/lib/domain/duration";
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

function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm font-medium text-red-700">
      {message}
    </p>
  );
}

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600";
const labelClass = "block text-sm font-semibold text-slate-800";

interface RequestFormProps {
  clusters: EligibleCluster[];
  /** a cluster and role to start with (already checked to be eligible) */
  prefill?: { cluster: string; role: string };
  /** where the step-up popup signs in, when a role offers break-glass behind a fresh sign-in */
  stepUp?: StepUpSettings;
}

/** Break-glass on a role with `stepUp` asks for a fresh sign-in in a popup first, as approving does. */
export function RequestForm(props: RequestFormProps) {
  return props.stepUp ? (
    <StepUpProvider settings={props.stepUp}>
      <StepUpRequestForm {...props} stepUp={props.stepUp} />
    </StepUpProvider>
  ) : (
    <RequestFields {...props} />
  );
}

function StepUpRequestForm(props: RequestFormProps & { stepUp: StepUpSettings }) {
  const signIn = useFreshSignIn(props.stepUp);
  return <RequestFields {...props} signIn={(rule) => signIn(rule.authenticationContext)} />;
}

function RequestFields({
  clusters,
  prefill,
  signIn,
}: RequestFormProps & { signIn?: (rule: StepUpRule) => Promise<string> }) {
  const [state, formAction, isPending] = useActionState(submitRequest, EMPTY_FORM_STATE);
  const [popupFailure, setPopupFailure] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);
  const [isBreakGlass, setIsBreakGlass] = useState(false);
  const [clusterName, setClusterName] = useState(prefill?.cluster ?? clusters[0]?.name ?? "");
  const cluster = clusters.find((c) => c.name === clusterName) ?? clusters[0];
  const [roleName, setRoleName] = useState(prefill?.role ?? cluster?.roles[0]?.name ?? "");
  const role = cluster?.roles.find((r) => r.name === roleName) ?? cluster?.roles[0];
  const [start, setStart] = useState<"now" | "later">("now");
  const [startLocal, setStartLocal] = useState("");
  const startIso = useMemo(() => (startLocal ? new Date(startLocal).toISOString() : ""), [startLocal]);
  const error = (field: string) => state.fields[field];
  const describedBy = (field: string, hint?: string) =>
    [hint, error(field) ? `${field}-error` : undefined].filter(Boolean).join(" ") || undefined;

  if (!cluster || !role)
    return <p>You are not eligible for any role yet. Ask a platform admin which group grants access.</p>;
  const { policy } = role;
  const needsStepUp = isBreakGlass && policy.isBreakGlassAllowed && policy.stepUp !== undefined;
  const message = popupFailure ?? state.message;

  async function submitWithStepUp(event: FormEvent<HTMLFormElement>) {
    setPopupFailure(null);
    if (!needsStepUp || !signIn || !policy.stepUp) return;
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsSigningIn(true);
    try {
      form.set("stepUpToken", await signIn(policy.stepUp));
      startTransition(() => formAction(form));
    } catch (error) {
      setPopupFailure(describeStepUpFailure(error, "request"));
    } finally {
      setIsSigningIn(false);
    }
  }

  return (
    <form action={formAction} onSubmit={submitWithStepUp} className="grid gap-5 md:grid-cols-[1fr_18rem]" noValidate>
      <div className="space-y-4">
        {message ? (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
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
          <div>
            <label htmlFor="cluster" className={labelClass}>
              Cluster
            </label>
            <select
              id="cluster"
              name="cluster"
              className={inputClass}
              value={cluster.name}
              aria-invalid={Boolean(error("cluster"))}
              aria-describedby={describedBy("cluster")}
              onChange={(e) => {
                const next = clusters.find((c) => c.name === e.target.value);
                setClusterName(e.target.value);
                setRoleName(next?.roles[0]?.name ?? "");
              }}
            >
              {clusters.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.environment})
                </option>
              ))}
            </select>
            <FieldError id="cluster-error" message={error("cluster")} />
          </div>
          <div>
            <label htmlFor="role" className={labelClass}>
              Role
            </label>
            <select
              id="role"
              name="role"
              className={inputClass}
              value={role.name}
              aria-invalid={Boolean(error("role"))}
              aria-describedby={describedBy("role", "role-description")}
              onChange={(e) => setRoleName(e.target.value)}
            >
              {cluster.roles.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name}
                </option>
              ))}
            </select>
            <p id="role-description" className="mt-1 text-xs text-slate-600">
              {role.description}
            </p>
            <FieldError id="role-error" message={error("role")} />
          </div>
        </div>
        <div>
          <label htmlFor="duration" className={labelClass}>
            Duration
          </label>
          <select
            key={`${cluster.name}/${role.name}`}
            id="duration"
            name="duration"
            className={inputClass}
            defaultValue={toIsoDuration(policy.defaultDurationMinutes)}
            aria-invalid={Boolean(error("duration"))}
            aria-describedby={describedBy("duration", "duration-hint")}
          >
            {durationOptions(policy).map((m) => (
              <option key={m} value={toIsoDuration(m)}>
                {describeDuration(m)}
              </option>
            ))}
          </select>
          <p id="duration-hint" className="mt-1 text-xs text-slate-600">
            At most {describeDuration(policy.maxDurationMinutes)}.
          </p>
          <FieldError id="duration-error" message={error("duration")} />
        </div>
        <div>
          <label htmlFor="justification" className={labelClass}>
            Justification{policy.justification.isRequired ? "" : " (optional)"}
          </label>
          <textarea
            id="justification"
            name="justification"
            rows={3}
            className={inputClass}
            aria-invalid={Boolean(error("justification"))}
            aria-describedby={describedBy("justification", "justification-hint")}
          />
          <p id="justification-hint" className="mt-1 text-xs text-slate-600">
            What you will do and why; approvers and auditors read it.
            {policy.justification.message ? ` ${policy.justification.message}` : ""}
          </p>
          <FieldError id="justification-error" message={error("justification")} />
        </div>
        <div>
          <label htmlFor="ticket" className={labelClass}>
            Ticket{policy.ticket.isRequired ? "" : " (optional)"}
          </label>
          <input
            id="ticket"
            name="ticket"
            className={inputClass}
            autoComplete="off"
            aria-invalid={Boolean(error("ticket"))}
            aria-describedby={describedBy("ticket", "ticket-hint")}
          />
          <p id="ticket-hint" className="mt-1 text-xs text-slate-600">
            {policy.ticket.message ??
              (policy.ticket.pattern
                ? `Format: ${policy.ticket.pattern}`
                : "An incident or change reference, if you have one.")}
          </p>
          <FieldError id="ticket-error" message={error("ticket")} />
        </div>
        <fieldset>
          <legend className={labelClass}>Start</legend>
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
              <label htmlFor="start-local" className="block text-sm">
                Start time (your local time)
              </label>
              <input
                id="start-local"
                type="datetime-local"
                className={inputClass}
                value={startLocal}
                onChange={(e) => setStartLocal(e.target.value)}
                aria-invalid={Boolean(error("startAt"))}
                aria-describedby={describedBy("startAt")}
              />
              <input type="hidden" name="startAt" value={startIso} />
            </div>
          ) : null}
          <FieldError id="startAt-error" message={error("startAt")} />
        </fieldset>
        {policy.isBreakGlassAllowed ? (
          <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            <label className="flex items-start gap-2">
              <input
                type="checkbox"
                name="breakGlass"
                className="mt-1"
                aria-describedby="break-glass-hint"
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
          <li>
            {policy.approvalsRequired === 0
              ? "No approval: access is granted as soon as you submit."
              : `Needs ${policy.approvalsRequired} approval${policy.approvalsRequired > 1 ? "s from different people" : ""} from an approver.`}
          </li>
          <li>
            Up to {describeDuration(policy.maxDurationMinutes)} (default{" "}
            {describeDuration(policy.defaultDurationMinutes)}).
          </li>
          <li>Justification {policy.justification.isRequired ? "required" : "optional"}.</li>
          <li>
            Ticket {policy.ticket.isRequired ? "required" : "optional"}
            {policy.ticket.pattern ? ` (format ${policy.ticket.pattern})` : ""}.
          </li>
          {policy.approvalsRequired > 0 ? (
            <li>Unanswered requests time out after {describeDuration(policy.pendingTimeoutMinutes)}.</li>
          ) : null}
          <li>
            {policy.isScheduledStartAllowed
              ? `A later start is allowed, up to ${describeDuration(policy.maxStartAheadMinutes)} ahead.`
              : "Starts as soon as approved."}
          </li>
        </ul>
      </aside>
    </form>
  );
}
