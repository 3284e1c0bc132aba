import "server-only";
import type { ActionContext } from "@/lib/context";
import { decideRequest } from "./decide-request";
import type { TDecisionInput } from "./schemas";

/** Denies a pending request; the comment is required, because the requester reads it. The requester and the other approvers are told. */
export async function denyRequest(requestId: string, input: TDecisionInput, context: ActionContext) {
  return decideRequest("deny", requestId, input, context);
}
