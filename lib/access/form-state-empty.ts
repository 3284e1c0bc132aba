import type { FormState } from "./form-state";

/** The initial state of a form (importable from client components, unlike form-state.ts). */
export const EMPTY_FORM_STATE: FormState = { message: null, fields: {} };
