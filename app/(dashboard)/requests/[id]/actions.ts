"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { nextAwaitingMyDecision } from "@/lib/access/approval-queue";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { denyRequest } from "@/lib/access/deny-request";
import { extendRequest } from "@/lib/access/extend-request";
import { retryActivation } from "@/lib/access/retry-activation";
import { reviewBreakGlass } from "@/lib/access/review-break-glass";
import { revokeRequest } from "@/lib/access/revoke-request";
import { ZApproveInput, ZExtendInput, ZReviewBreakGlassInput, ZRevokeInput } from "@/lib/access/schemas";
import { NO_FIELDS, checkbox, formAction } from "@/lib/form-action";
import { EMPTY_FORM_STATE } from "@/lib/forms";

/** The page an action on a request was taken from, which shows its outcome. */
export type ReturnTo = "request" | "access" | "admin";

/**
 * Re-renders the page the action came from rather than redirecting to it: a redirect to the same
 * path from a URL with a #fragment (the admin page links to #administer) is taken as a scroll and
 * leaves the page stale. A closed set of places, so that a tampered argument refreshes nothing else.
 */
function shown(requestId: string, returnTo: ReturnTo) {
  revalidatePath(returnTo === "access" ? "/access" : returnTo === "admin" ? "/admin" : `/requests/${requestId}`);
  return EMPTY_FORM_STATE;
}

/**
 * Approve, or Deny (the button pressed): denying never needs the step-up token. With `then=next`
 * ("Approve & next"), the approver goes on to the oldest request still waiting for them, or back to
 * Approvals when nothing else does.
 */
const ZDecisionForm = ZApproveInput.extend({ outcome: z.string().optional(), then: z.string().optional() });

export const decideAction = formAction(ZDecisionForm, async (input, context, requestId: string) => {
  const { outcome, comment, stepUpToken } = input;
  if (outcome === "deny") await denyRequest(requestId, { comment }, context);
  else await approveRequest(requestId, { comment, stepUpToken }, context);
  if (input.then !== "next") return shown(requestId, "request");
  const next = await nextAwaitingMyDecision(context.viewer, requestId);
  return { redirectTo: next ? `/requests/${next}?queue=1` : "/approvals?done=1" };
});

export const cancelAction = formAction(NO_FIELDS, async (_input, context, requestId: string) => {
  await cancelRequest(requestId, context);
  return shown(requestId, "request");
});

export const endEarlyAction = formAction(NO_FIELDS, async (_input, context, requestId: string, returnTo: ReturnTo) => {
  await deactivateRequest(requestId, context);
  return shown(requestId, returnTo);
});

export const extendAction = formAction(ZExtendInput, async (input, context, requestId: string, returnTo: ReturnTo) => {
  await extendRequest(requestId, input, context);
  return shown(requestId, returnTo);
});

export const revokeAction = formAction(
  ZRevokeInput.extend({ endSessions: checkbox }),
  async (input, context, requestId: string) => {
    await revokeRequest(requestId, input, context);
    return shown(requestId, "request");
  },
);

export const retryActivationAction = formAction(
  NO_FIELDS,
  async (_input, context, requestId: string, returnTo: ReturnTo) => {
    await retryActivation(requestId, context);
    return shown(requestId, returnTo);
  },
);

export const reviewBreakGlassAction = formAction(ZReviewBreakGlassInput, async (input, context, requestId: string) => {
  await reviewBreakGlass(requestId, input, context);
  revalidatePath("/approvals/break-glass");
  return shown(requestId, "request");
});
