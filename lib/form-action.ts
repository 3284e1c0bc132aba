import "server-only";
import { randomUUID } from "node:crypto";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionContext } from "@/lib/context";
import { actionContext } from "@/lib/auth/action-context";
import { expectedErrorOf, type FieldProblem } from "@/lib/errors";
import { EMPTY_FORM_STATE, type FormState } from "@/lib/forms";
import { log } from "@/lib/log";
import { parseInput } from "@/lib/validation/parse-input";

/** An HTML checkbox: the browser sends "on" when it is ticked and nothing when it is not. */
export const checkbox = z
  .string()
  .optional()
  .transform((value) => value === "on");

/** The input of a form that is only a button. */
export const NO_FIELDS = z.object({});

/**
 * The FormState of a failed action. Expected errors (AppError) say what to do, next to their field
 * where they name one; anything else is logged with `reference`, and the user sees only that id.
 */
export function formStateFromError(error: unknown, reference: string): FormState {
  const expected = expectedErrorOf(error);
  if (expected) {
    const fields = Object.fromEntries(expected.fields.map((f: FieldProblem) => [f.field, f.message]));
    return {
      message: expected.fields.length > 0 ? "Please fix the fields marked below." : expected.userMessage,
      fields,
      ...(expected.link ? { link: expected.link } : {}),
    };
  }
  log.error({ err: error, correlationId: reference }, "form action failed");
  return {
    message: `Something went wrong and nothing was saved. Try again; if it keeps failing, give your admin this reference: ${reference}.`,
    fields: {},
    reference,
  };
}

/** The form's text fields by name; the first of repeated names, as FormData.get reads them. */
function fieldsOf(form: FormData) {
  const fields: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === "string" && !(name in fields)) fields[name] = value;
  return fields;
}

/** Fields never sent back to the browser: a step-up token is single-use proof, not something typed. */
const UNECHOED_FIELDS = new Set(["stepUpToken"]);

/** What the user typed, to show again after a refusal; React's own fields (`$ACTION_…`) left out. */
function valuesOf(form: FormData) {
  return Object.fromEntries(
    Object.entries(fieldsOf(form)).filter(([name]) => !name.startsWith("$") && !UNECHOED_FIELDS.has(name)),
  );
}

/** A form's server action, as React calls it; code may leave out the form of a form without fields. */
export interface FormAction<Bound extends unknown[], Result> {
  (...args: [...Bound, FormState<Result>]): Promise<FormState<Result>>;
  (...args: [...Bound, FormState<Result>, FormData]): Promise<FormState<Result>>;
}

/** Where the browser goes after a successful action, instead of staying on the form. */
export interface Redirect {
  redirectTo: string;
}

/**
 * A form's server action: who acts and from where, the fields parsed with `schema` (a 400 naming
 * each field), then `handler`, whose errors become the FormState the form shows. Arguments the page
 * bound with `.bind(null, …)` come first, as React passes them, then the previous state and the form.
 * `handler` returns the state to show, nothing for a clean form, or a Redirect.
 */
export function formAction<Schema extends z.ZodType, Bound extends unknown[], Result = never>(
  schema: Schema,
  handler: (
    input: z.output<Schema>,
    context: ActionContext,
    ...bound: Bound
  ) => Promise<FormState<Result> | Redirect | void>,
  options: {
    /** the clean state, which a failure's state is built on: the form's own initial state */
    initial?: FormState<Result>;
    /** who acts, from where: the session and the request's headers, unless a test says */
    context?: () => Promise<ActionContext>;
  } = {},
) {
  const { initial = EMPTY_FORM_STATE, context: buildContext = actionContext } = options;
  const action = async (...args: unknown[]): Promise<FormState<Result>> => {
    const form = args.at(-1) instanceof FormData ? (args.pop() as FormData) : new FormData();
    const bound = args.slice(0, -1) as Bound;
    let context: ActionContext | undefined;
    let outcome: FormState<Result> | Redirect | void;
    try {
      context = await buildContext();
      outcome = await handler(parseInput(schema, fieldsOf(form)), context, ...bound);
    } catch (error) {
      // Without a context nothing was recorded: the fresh id then ties the user's words to the log line.
      const values = valuesOf(form);
      return {
        ...initial,
        ...formStateFromError(error, context?.origin.correlationId ?? randomUUID()),
        ...(Object.keys(values).length > 0 ? { values } : {}),
      };
    }
    // Outside the try: redirect() throws what Next needs to see.
    if (outcome && "redirectTo" in outcome) redirect(outcome.redirectTo);
    return outcome ?? initial;
  };
  return action as FormAction<Bound, Result>;
}
