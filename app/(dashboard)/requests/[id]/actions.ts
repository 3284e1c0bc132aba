"use server";
import { redirect } from "next/navigation";
import { randomUUID } from "node:crypto";
import { approveRequest } from "@/lib/access/approve-request";
import { cancelRequest } from "@/lib/access/cancel-request";
import { deactivateRequest } from "@/lib/access/deactivate-request";
import { denyRequest } from "@/lib/access/deny-request";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { actionContext } from "@/lib/auth/action-context";

export async function decideAction(requestId: string, _previous: FormState, form: FormData): Promise<FormState> {
  try {
    const context = await actionContext();
    const input = { comment: String(form.get("comment") ?? "") };
    if (form.get("outcome") === "deny") await denyRequest(requestId, input, context);
    else await approveRequest(requestId, input, context);
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  redirect(`/requests/${requestId}`);
}

export async function cancelAction(requestId: string, _previous: FormState): Promise<FormState> {
  try {
    await cancelRequest(requestId, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  redirect(`/requests/${requestId}`);
}

export async function endEarlyAction(requestId: string, _previous: FormState): Promise<FormState> {
  try {
    await deactivateRequest(requestId, await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  redirect(`/requests/${requestId}`);
}
