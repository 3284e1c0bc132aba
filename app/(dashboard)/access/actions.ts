"use server";
import { redirect } from "next/navigation";
import { randomUUID } from "node:crypto";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { requestAccess } from "@/lib/access/request-access";
import { actionContext } from "@/lib/auth/action-context";

export async function submitRequest(_previous: FormState, form: FormData): Promise<FormState> {
  let requestId: string;
  try {
    const context = await actionContext();
    const text = (name: string) => String(form.get(name) ?? "");
    const request = await requestAccess(
      {
        cluster: text("cluster"),
        role: text("role"),
        duration: text("duration"),
        justification: text("justification"),
        ticket: text("ticket"),
        startAt: text("start") === "later" ? text("startAt") : null,
        breakGlass: form.get("breakGlass") === "on",
        stepUpToken: text("stepUpToken") || undefined,
      },
      context,
    );
    requestId = request.id;
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  redirect(`/requests/${requestId}`);
}
