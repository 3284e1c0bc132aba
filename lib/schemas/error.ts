/** The one error shape of the API: every refusal and failure answers with it. */
import { z } from "zod";
import { APP_ERROR_STATUS, type AppErrorCode } from "@/lib/errors";

const CODES = [...(Object.keys(APP_ERROR_STATUS) as AppErrorCode[]), "INTERNAL" as const];

export const ZApiError = z.strictObject({
  error: z.strictObject({
    code: z.enum(CODES),
    message: z.string().meta({ description: "What went wrong and what to do, in words for people." }),
    fields: z
      .array(z.strictObject({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: "Per input field, for 400 answers about the body or query." }),
    link: z.strictObject({ href: z.string(), label: z.string() }).optional().meta({
      description:
        "Where to go instead: for a 409 on filing, the existing request that makes the new one a duplicate (or the active access to extend).",
    }),
  }),
});

export type ApiErrorBody = z.output<typeof ZApiError>;
