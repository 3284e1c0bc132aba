import "server-only";
import type { ActionContext } from "@/lib/context";
import { decideRequest } from "./decide-request";
import type { TApproveInput } from "./schemas";

/**
 * Adds the viewer's approval; the request is approved once it has as many distinct approvals as its
 * policy asks. When the policy has `stepUp`, `input.stepUpToken` must be the ID token of a fresh
 * sign-in by the viewer (lib/auth/step-up.ts); the audit event records its auth_time and acrs.
 */
export async function approveRequest(requestId: string, input: TApproveInput, context: ActionContext) {
  return decideRequest("approve", requestId, input, context);
}
