/**
 * What a form's server action hands back, importable from client components (the action itself,
 * lib/form-action.ts, is server-only).
 */
import type { ErrorLink } from "@/lib/errors";

/** What a form's server action returns when it does not redirect: words for the user, per field where possible. */
export interface FormState<Result = never> {
  message: string | null;
  fields: Record<string, string>;
  /** where to go instead (the existing request a new one duplicates) */
  link?: ErrorLink;
  /**
   * The correlation id of an action that failed unexpectedly, also quoted in `message`: the same id
   * is on its log lines and on any audit row it wrote, so an admin finds both from what the user reads.
   */
  reference?: string;
  /**
   * What a refused submission held, by field name, so that the form shows it again: React resets a
   * form after its action, and a refusal must not cost the user what they typed.
   */
  values?: Record<string, string>;
  /** what a successful action reports back (the drift check's counts) */
  result?: Result;
}

/** The state of a form before its first submission, and after a successful one. */
export const EMPTY_FORM_STATE: FormState = { message: null, fields: {} };
