import "server-only";
import type { ActionContext } from "./context";
import { decideRequest } from "./decide-request";
import type { TDecisionInput } from "./schemas";

/** Adds the viewer's approval; the request is approved once it has as many distinct approvals as its policy asks. */
export function approveRequest(requestId: string, input: TDecisionInput, context: ActionContext) {
  return decideRequest("approve", requestId, input, context);
}
