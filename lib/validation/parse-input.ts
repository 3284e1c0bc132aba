/**
 * How every use case and route turns a zod failure into the 400 that names each field. Lower than
 * the features that use it, like fields.ts: it imports nothing of the app but its error type.
 */
import type { z } from "zod";
import { AppError } from "@/lib/errors";

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
