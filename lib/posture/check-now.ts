import "server-only";
import type { ActionContext } from "@/lib/context";
import { checkPostureNow } from "./check-posture";

export interface PostureCheckOutcome {
  /** clusters read and stored */
  checked: number;
  /** clusters whose posture changed (a `posture.changed` event each) */
  changed: number;
  /** clusters whose check failed (their row keeps the error) */
  failed: number;
}

/** "Check now" on the Posture page: every catalog cluster's posture, now (check-posture.ts; admins only). */
export async function runPostureCheck(context: ActionContext): Promise<PostureCheckOutcome> {
  const { clusters, changed, failed } = await checkPostureNow(context);
  return { checked: clusters, changed, failed };
}
