"use server";
import { revalidatePath } from "next/cache";
import { NO_FIELDS, formAction } from "@/lib/form-action";
import { markNotificationsRead } from "@/lib/notify/queries";

/** Marks one of the viewer's notifications read, or all of them without an id. */
export const markReadAction = formAction(NO_FIELDS, async (_input, context, id: string | null) => {
  await markNotificationsRead(context.viewer, id ? { id } : {}, context.now);
  // The layout's unread count too.
  revalidatePath("/", "layout");
});
