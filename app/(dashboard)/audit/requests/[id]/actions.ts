"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { summariseActivityNow } from "@/lib/activity/summarise-activity";
import { formAction } from "@/lib/form-action";
import type { FormState } from "@/lib/forms";

/** What "Check activity now" read: the summary's headline, for the message beside the button. */
export type ActivityCheckState = FormState<{
  status: "summarised" | "unavailable";
  totalCalls: number;
  afterEndCalls: number;
  isComplete: boolean;
} | null>;

const NOT_CHECKED: ActivityCheckState = { message: null, fields: {}, result: null };

const ZCheckActivity = z.object({ requestId: z.uuid("A request id is a UUID.") });

/** Reads the request's activity from the audit logs now (auditors and admins: the use case refuses others). */
export const checkActivityAction = formAction(
  ZCheckActivity,
  async ({ requestId }, context): Promise<ActivityCheckState> => {
    const summary = await summariseActivityNow(context, requestId);
    revalidatePath(`/audit/requests/${requestId}`);
    revalidatePath(`/requests/${requestId}`);
    return {
      ...NOT_CHECKED,
      result: {
        status: summary.status,
        totalCalls: summary.kubernetes?.totalCalls ?? 0,
        afterEndCalls: summary.kubernetes?.afterEndCalls ?? 0,
        isComplete: summary.window.isComplete,
      },
    };
  },
  { initial: NOT_CHECKED },
);
