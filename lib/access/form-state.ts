import "server-only";
import { expectedErrorOf, type ErrorLink, type FieldProblem } from "@/lib/errors";
import { log } from "@/lib/log";

/** What a form's server action returns when it does not redirect: words for the user, per field where possible. */
export interface FormState {
  message: string | null;
  fields: Record<string, string>;
  /** where to go instead (the existing request a new one duplicates) */
  link?: ErrorLink;
}

export function formStateFromError(error: unknown, correlationId: string): FormState {
  const expected = expectedErrorOf(error);
  if (expected) {
    const fields = Object.fromEntries(expected.fields.map((f: FieldProblem) => [f.field, f.message]));
    return {
      message: expected.fields.length > 0 ? "Please fix the fields marked below." : expected.userMessage,
      fields,
      ...(expected.link ? { link: expected.link } : {}),
    };
  }
  log.error({ err: error instanceof Error ? error.stack : String(error), correlationId }, "form action failed");
  return {
    message: `Something went wrong and nothing was saved. Try again; if it keeps failing, give your admin this reference: ${correlationId}.`,
    fields: {},
  };
}
