import Form from "next/form";
import Link from "next/link";
import type { ReactNode } from "react";
import type { FieldProblem } from "@/lib/errors";
import { RANGE_PRESET_LABELS, RANGE_PRESETS, WALL_TIME_FORMAT, type RangePreset } from "@/lib/domain/time-zone";
import { auditHref, type FilterName, type SearchInput } from "../search-query";
import type { ActivityFilter } from "@/lib/audit/filters";

/** The activity filters, in the words of the form. */
const ACTIVITY_CHOICES: Array<[ActivityFilter, string]> = [
  ["secret-reads", "Requests with secret reads"],
  ["after-end", "Activity after access ended"],
  ["denied", "Requests with denied calls"],
];
import { PeoplePicker } from "./people-picker";

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600";
const labelClass = "block text-sm font-semibold text-slate-800";

/** Backquoted names in the search's messages (`to`) read as code. */
function Message({ text }: { text: string }) {
  return text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

interface Options {
  clusters: string[];
  roles: string[];
  types: readonly string[];
}

interface ControlProps {
  id: string;
  name: string;
  className: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

/** A labelled control with its hint and, after a refused search, what to correct. */
function Field(props: {
  name: FilterName;
  label: string;
  hint?: string;
  problem?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const { name, hint, problem } = props;
  const describedBy = [hint ? `${name}-hint` : null, problem ? `${name}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={name} className={labelClass}>
        {props.label}
      </label>
      {props.children({
        id: name,
        name,
        className: inputClass,
        "aria-invalid": problem ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {hint ? (
        <p id={`${name}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p id={`${name}-error`} className="mt-1 text-sm font-medium text-red-700">
          <Message text={problem} />
        </p>
      ) : null}
    </div>
  );
}

/**
 * The auditor's filters as a GET form: without JavaScript it still searches, and the result is a URL
 * to share. `next/form` navigates in place when JavaScript runs; the key remounts the fields when the
 * URL changes (Clear, a shared link), since they are uncontrolled.
 */
export function SearchForm(props: {
  input: SearchInput;
  /** the times as typed (in `zone`), which the form shows back */
  typed: { from: string; to: string };
  zone: string;
  /** each preset's range, as time-field text in `zone` */
  presets: Record<RangePreset, { from: string; to: string }>;
  problems: FieldProblem[];
  options: Options;
}) {
  const { input, typed, zone, presets, problems, options } = props;
  const valueOf = (name: FilterName) => [input[name] ?? ""].flat()[0] ?? "";
  const activity = [input.activity ?? []].flat();
  const activityProblem = problems.find((p) => p.field === "activity")?.message;
  const field = (name: FilterName, label: string, hint?: string) => ({
    name,
    label,
    hint,
    problem: problems.find((p) => p.field === name)?.message,
  });
  const text = (name: FilterName, label: string, hint: string) => (
    <Field {...field(name, label, hint)}>
      {(control) => (
        <input {...control} type="text" defaultValue={valueOf(name)} autoComplete="off" spellCheck={false} />
      )}
    </Field>
  );
  // A value from the URL that the list lacks (a cluster since removed from the catalog) stays choosable.
  const select = (name: FilterName, label: string, any: string, values: readonly string[]) => (
    <Field {...field(name, label)}>
      {(control) => (
        <select {...control} defaultValue={valueOf(name)}>
          <option value="">{any}</option>
          {[...new Set([...values, valueOf(name)])].filter(Boolean).map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  // Text, not datetime-local: the browser's picker writes dates in its locale's order (05/12 or
  // 12/05) and a 12-hour clock in some; typed ISO-like times in the viewer's zone cannot be misread.
  const time = (name: "from" | "to", label: string, hint: string) => (
    <Field {...field(name, label, hint)}>
      {(control) => (
        <input
          {...control}
          type="text"
          inputMode="numeric"
          placeholder={WALL_TIME_FORMAT}
          defaultValue={typed[name]}
          autoComplete="off"
          spellCheck={false}
        />
      )}
    </Field>
  );
  // Presets keep the other filters of the URL and start from the newest page.
  const presetHref = (preset: RangePreset) => auditHref({ ...input, ...presets[preset], cursor: undefined });
  const isPreset = (preset: RangePreset) => typed.from === presets[preset].from && typed.to === presets[preset].to;

  return (
    <Form
      key={auditHref(input)}
      action="/audit"
      role="search"
      aria-labelledby="search-title"
      className="space-y-4"
      noValidate
    >
      {problems.length > 0 ? (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          <p className="font-medium">Nothing was searched: correct these filters.</p>
          <ul className="mt-1 list-disc pl-5">
            {problems.map((p) => (
              <li key={`${p.field}: ${p.message}`}>
                <Message text={p.message} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <nav aria-label="Time range presets" className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-semibold text-slate-800">Range:</span>
        {RANGE_PRESETS.map((preset) => (
          <Link
            key={preset}
            href={presetHref(preset)}
            aria-current={isPreset(preset) ? "true" : undefined}
            className="rounded-full border border-slate-400 px-3 py-1 font-medium text-slate-800 hover:bg-slate-100 aria-[current=true]:border-brand-700 aria-[current=true]:bg-brand-700 aria-[current=true]:text-white"
          >
            {RANGE_PRESET_LABELS[preset]}
          </Link>
        ))}
      </nav>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {time("from", `From (${zone})`, `At or after: ${WALL_TIME_FORMAT}, 24-hour, ${zone} time.`)}
        {time("to", `To (${zone})`, `Before: ${WALL_TIME_FORMAT}, 24-hour, ${zone} time.`)}
        <Field
          {...field(
            "involving",
            "Involving",
            "Type a name or UPN: events they did, requested, or that are about them.",
          )}
        >
          {(control) => (
            <PeoplePicker
              id={control.id}
              name={control.name}
              className={control.className}
              defaultValue={valueOf("involving")}
              describedBy={control["aria-describedby"]}
              invalid={control["aria-invalid"]}
            />
          )}
        </Field>
        {text("actor", "Actor", "Who acted, e.g. p01@contoso.com.")}
        {text("requester", "Requester", "Whose request the event belongs to.")}
        {select("cluster", "Cluster", "Any cluster", options.clusters)}
        {select("role", "Role", "Any role", options.roles)}
        {select("type", "Event type", "Any event type", [...options.types])}
        {text("requestId", "Request id", "The request's UUID, from its page.")}
      </div>
      {text("q", "Text", "Words in a justification, ticket, comment or reason.")}
      <div className="flex items-start gap-2">
        <input
          id="system"
          name="system"
          type="checkbox"
          value="include"
          defaultChecked={input.system === "include"}
          aria-describedby="system-hint"
          className="mt-1 h-4 w-4"
        />
        <div>
          <label htmlFor="system" className={labelClass}>
            Show system events
          </label>
          <p id="system-hint" className="text-xs text-slate-600">
            Events no person caused: Graph and ARM calls made by background jobs, the drift check&apos;s reads, deferred
            removals, scheduled chain checks. Changes to requests and drift findings always show; so does one
            request&apos;s whole trail (a request id), and the event types you choose.
          </p>
        </div>
      </div>
      <fieldset aria-describedby={`activity-hint${activityProblem ? " activity-error" : ""}`}>
        <legend className={labelClass}>Activity</legend>
        <p id="activity-hint" className="text-xs text-slate-600">
          What the holder did with the access, from the cluster&apos;s audit logs once the grant ended: events of the
          requests whose summary shows each ticked item.
        </p>
        <div className="mt-1 flex flex-wrap gap-x-6 gap-y-1">
          {ACTIVITY_CHOICES.map(([value, label]) => (
            <div key={value} className="flex items-center gap-2">
              <input
                id={`activity-${value}`}
                name="activity"
                type="checkbox"
                value={value}
                defaultChecked={activity.includes(value)}
                className="h-4 w-4"
              />
              <label htmlFor={`activity-${value}`} className="text-sm text-slate-800">
                {label}
              </label>
            </div>
          ))}
        </div>
        {activityProblem ? (
          <p id="activity-error" className="mt-1 text-sm font-medium text-red-700">
            <Message text={activityProblem} />
          </p>
        ) : null}
      </fieldset>
      {typeof input.limit === "string" ? <input type="hidden" name="limit" value={input.limit} /> : null}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-900">
          Search
        </button>
        <Link
          href="/audit"
          className="rounded-md border border-slate-400 px-4 py-2 font-medium text-slate-800 hover:bg-slate-100"
        >
          Clear
        </Link>
      </div>
    </Form>
  );
}
