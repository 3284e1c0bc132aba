"use server";
import { revalidatePath } from "next/cache";
import { randomUUID } from "node:crypto";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { reconcileNow } from "@/lib/access/reconcile-access";
import { resolveDrift } from "@/lib/access/resolve-drift";
import { actionContext } from "@/lib/auth/action-context";
import { retryFailedJob } from "@/lib/jobs/failed-jobs";

const DONE: FormState = { message: null, fields: {} };

export async function retryJobAction(queue: string, jobId: string, _previous: FormState): Promise<FormState> {
  try {
    await retryFailedJob({ queue, jobId }, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  revalidatePath("/admin");
  return DONE;
}

export async function resolveDriftAction(
  findingId: string,
  resolution: "remove" | "reapply",
  _previous: FormState,
): Promise<FormState> {
  try {
    await resolveDrift(findingId, resolution, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  revalidatePath("/admin");
  return DONE;
}

export interface DriftCheckState extends FormState {
  result: { bindings: number; open: number; skipped: number } | null;
}

export async function checkDriftAction(_previous: DriftCheckState): Promise<DriftCheckState> {
  try {
    const result = await reconcileNow(await actionContext());
    revalidatePath("/admin");
    return { ...DONE, result };
  } catch (error) {
    return { ...formStateFromError(error, randomUUID()), result: null };
  }
}
