"use server";
import { revalidatePath } from "next/cache";
import { reconcileNow } from "@/lib/access/reconcile-access";
import { resolveDrift } from "@/lib/access/resolve-drift";
import { NO_FIELDS, formAction } from "@/lib/form-action";
import type { FormState } from "@/lib/forms";
import { retryFailedJob } from "@/lib/jobs/failed-jobs";

export const retryJobAction = formAction(NO_FIELDS, async (_input, context, queue: string, jobId: string) => {
  await retryFailedJob({ queue, jobId }, context);
  revalidatePath("/admin");
});

export const resolveDriftAction = formAction(
  NO_FIELDS,
  async (_input, context, findingId: string, resolution: "remove" | "reapply") => {
    await resolveDrift(findingId, resolution, context);
    revalidatePath("/admin");
  },
);

/** What the drift check found: bindings compared, findings open, bindings it could not read. */
export type DriftCheckState = FormState<{ bindings: number; open: number; skipped: number } | null>;

const NOT_CHECKED: DriftCheckState = { message: null, fields: {}, result: null };

export const checkDriftAction = formAction(
  NO_FIELDS,
  async (_input, context): Promise<DriftCheckState> => {
    const result = await reconcileNow(context);
    revalidatePath("/admin");
    return { ...NOT_CHECKED, result };
  },
  { initial: NOT_CHECKED },
);
