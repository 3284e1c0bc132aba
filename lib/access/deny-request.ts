import "server-only";
import { notifyDecision } from "@/lib/notify/request-events";
import type { ActionContext } from "./context";
import { decideRequest } from "./decide-request";
import type { TDecisionInput } from "./schemas";

/** Denies a pending request; the comment is required, because the requester reads it. The requester and the other approvers are told. */
export async function denyRequest(requestId: string, input: TDecisionInput, context: ActionContext) {
  const view = await decideRequest("deny", requestId, input, context);
  await notifyDecision(requestId, "deny", context.viewer.id);
  return view;
}
