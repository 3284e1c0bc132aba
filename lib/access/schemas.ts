/** Inputs of the access use cases, parsed at every edge (forms, API) with the same schemas. */
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { instant, text } from "@/lib/validation/fields";

/** An ID token (a JWT) from a fresh sign-in; verified by lib/auth/step-up.ts, only its size is checked here. */
const STEP_UP_TOKEN = text("the step-up token")
  .trim()
  .max(16_000, "The step-up token is too long to be an ID token.")
  .optional()
  .transform((v) => v || undefined);

export const ZRequestAccessInput = z.object({
  cluster: text("the cluster").trim().min(1, "Choose a cluster."),
  role: text("the role").trim().min(1, "Choose a role."),
  /** ISO 8601, e.g. PT1H; checked against the role's maximum by the policy */
  duration: text("the duration").trim().min(1, "Choose a duration."),
  justification: text("the justification")
    .trim()
    .max(2000, "Keep the justification under 2000 characters.")
    .default(""),
  ticket: text("the ticket")
    .trim()
    .max(100, "Keep the ticket under 100 characters.")
    .optional()
    .transform((v) => v || undefined),
  /** absent or null: start as soon as approved */
  startAt: instant("the start").nullish(),
  breakGlass: z.boolean().default(false),
  /** break-glass on a role whose policy asks for step-up: the ID token of a fresh sign-in (lib/auth/step-up.ts) */
  stepUpToken: STEP_UP_TOKEN,
});
export type TRequestAccessInput = z.input<typeof ZRequestAccessInput>;

export const ZDecisionInput = z.object({
  comment: text("the comment").trim().max(2000, "Keep the comment under 2000 characters.").default(""),
});
export type TDecisionInput = z.input<typeof ZDecisionInput>;

/** Approving may need step-up (the role's policy says); denying never does: refusing access grants nothing. */
export const ZApproveInput = ZDecisionInput.extend({
  /** the ID token of a fresh sign-in, when the request's policy has `stepUp` */
  stepUpToken: STEP_UP_TOKEN,
});
export type TApproveInput = z.input<typeof ZApproveInput>;

export const ZExtendInput = z.object({
  /** how much longer, ISO 8601 (PT30M, PT1H) */
  duration: text("the duration").trim().min(1, "Choose how much longer you need the access."),
});
export type TExtendInput = z.input<typeof ZExtendInput>;

export const ZRevokeInput = z.object({
  reason: text("the reason")
    .trim()
    .min(1, "Say why you revoke the access: the holder and the auditors see it.")
    .max(2000, "Keep the reason under 2000 characters."),
  /** also revoke the holder's sign-in sessions; the role's policy may ask for it anyway */
  endSessions: z.boolean().default(false),
});
export type TRevokeInput = z.input<typeof ZRevokeInput>;

/** zod problems as field messages for forms and the API. */
export function fieldProblems(error: z.ZodError) {
  // The field's name, without array positions: `type.1` (the second of repeated `type`s) is `type`.
  return error.issues.map((issue) => ({
    field: issue.path.filter((part) => typeof part === "string").join(".") || "input",
    message: issue.message,
  }));
}

/** Parses a use case's input, or throws the 400 that names each field and what to fix. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = fieldProblems(parsed.error);
  throw new AppError("INVALID_INPUT", {
    message: "input failed validation",
    userMessage: fields.map((f) => f.message).join(" "),
    fields,
  });
}
