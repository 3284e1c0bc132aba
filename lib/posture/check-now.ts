import "server-only";
import type { ActionContext } from "@/lib/context";
import { authorize } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";

export interface PostureCheckOutcome {
  /** clusters read and stored */
  checked: number;
  /** clusters whose check failed (their row keeps the error) */
  failed: number;
}

/**
 * "Check now" on the Posture page. The check itself (reading ARM, writing cluster_postures, the
 * `posture.changed` audit event) is lib/posture/check-posture.ts's `checkPostureNow`, from the
 * branch that reads posture; until it is merged this says so instead of pretending. Merging: replace
 * the body below with `return checkPostureNow(context);` (imported from "./check-posture").
 */
export async function runPostureCheck(context: ActionContext): Promise<PostureCheckOutcome> {
  authorize(context.viewer, "access.administer");
  throw new AppError("UNAVAILABLE", {
    message: "posture check not installed (lib/posture/check-posture.ts)",
    userMessage: "The posture check is not available in this build yet: nothing was checked.",
  });
}
