import "server-only";
import { isAppError, type FieldProblem } from "@/lib/errors";
import { log } from "@/lib/log";

/** What a form's server action returns when it does not redirect: words for the user, per field where possible. */
export interface FormState {
  message: string | null;
  fields: Record<string, string>;
}

export function formStateFromError(error: unknown, correlationId: string): FormState {
  if (isAppError(error)) {
    const fields = Object.fromEntries(error.fields.map((f: FieldProblem) => [f.field, f.message]));
    return { message: error.fields.length > 0 ? "Please fix the fields marked below." : error.userMessage, fields };
  }
  log.error({ err: error instanceof Error ? error.stack : String(error), correlationId }, "form action failed");
  return {
    message: `Something went wrong and nothing was saved. Try again; if it keeps failing, give your admin this reference: ${correlationId}.`,
    fields: {},
  };
}
