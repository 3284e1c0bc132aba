"use server";
import { revalidatePath } from "next/cache";
import { NO_FIELDS, formAction } from "@/lib/form-action";
import type { FormState } from "@/lib/forms";
import { runPostureCheck, type PostureCheckOutcome } from "@/lib/posture/check-now";

/** What "Check now" found: clusters checked, and those whose check failed. */
export type PostureCheckState = FormState<PostureCheckOutcome | null>;

const NOT_CHECKED: PostureCheckState = { message: null, fields: {}, result: null };

export const checkPostureAction = formAction(
  NO_FIELDS,
  async (_input, context): Promise<PostureCheckState> => {
    const result = await runPostureCheck(context);
    revalidatePath("/admin/posture");
    return { ...NOT_CHECKED, result };
  },
  { initial: NOT_CHECKED },
);
