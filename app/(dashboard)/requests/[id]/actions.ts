"use server";
import { revalidatePath } from "next/cache";
import { randomUUID } from "node:crypto";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { denyRequest } from "@/lib/access/deny-request";
import { extendRequest } from "@/lib/access/extend-request";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { retryActivation } from "@/lib/access/retry-activation";
import { revokeRequest } from "@/lib/access/revoke-request";
import { actionContext } from "@/lib/auth/action-context";

/** The page an action on a request was taken from, which shows its outcome. */
export type ReturnTo = "request" | "access" | "admin";

/**
 * Re-renders the page the action came from rather than redirecting to it: a redirect to the same
 * path from a URL with a #fragment (the admin page links to #administer) is taken as a scroll and
 * leaves the page stale. A closed set of places, so that a tampered argument refreshes nothing else.
 */
function shown(requestId: string, returnTo: ReturnTo): FormState {
  revalidatePath(returnTo === "access" ? "/access" : returnTo === "admin" ? "/admin" : `/requests/${requestId}`);
  return { message: null, fields: {} };
}

export async function decideAction(requestId: string, _previous: FormState, form: FormData): Promise<FormState> {
  try {
    const context = await actionContext();
    const input = { comment: String(form.get("comment") ?? "") };
    if (form.get("outcome") === "deny") await denyRequest(requestId, input, context);
    else await approveRequest(requestId, { ...input, stepUpToken: String(form.get("stepUpToken") ?? "") }, context);
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, "request");
}

export async function cancelAction(requestId: string, _previous: FormState): Promise<FormState> {
  try {
    await cancelRequest(requestId, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, "request");
}

export async function endEarlyAction(requestId: string, returnTo: ReturnTo, _previous: FormState): Promise<FormState> {
  try {
    await deactivateRequest(requestId, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, returnTo);
}

export async function extendAction(
  requestId: string,
  returnTo: ReturnTo,
  _previous: FormState,
  form: FormData,
): Promise<FormState> {
  try {
    await extendRequest(requestId, { duration: String(form.get("duration") ?? "") }, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, returnTo);
}

export async function revokeAction(requestId: string, _previous: FormState, form: FormData): Promise<FormState> {
  try {
    const input = { reason: String(form.get("reason") ?? ""), endSessions: form.get("endSessions") === "on" };
    await revokeRequest(requestId, input, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, "request");
}

export async function retryActivationAction(
  requestId: string,
  returnTo: ReturnTo,
  _previous: FormState,
): Promise<FormState> {
  try {
    await retryActivation(requestId, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  return shown(requestId, returnTo);
}
