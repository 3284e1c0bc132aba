"use server";
import { revalidatePath } from "next/cache";
import { randomUUID } from "node:crypto";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { actionContext } from "@/lib/auth/action-context";
import { markNotificationsRead } from "@/lib/notify/queries";

const DONE: FormState = { message: null, fields: {} };

/** Marks one of the viewer's notifications read, or all of them without an id. */
export async function markReadAction(id: string | null, _previous: FormState): Promise<FormState> {
  try {
    const context = await actionContext();
    await markNotificationsRead(context.viewer, id ? { id } : {}, context.now);
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  // The layout's unread count too.
  revalidatePath("/", "layout");
  return DONE;
}
