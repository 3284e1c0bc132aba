"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { NO_FIELDS, checkbox, formAction } from "@/lib/form-action";
import { markNotificationsRead, saveMyNotificationPreferences } from "@/lib/notify/queries";

/** Marks one of the viewer's notifications read, or all of them without an id. */
export const markReadAction = formAction(NO_FIELDS, async (_input, context, id: string | null) => {
  await markNotificationsRead(context.viewer, id ? { id } : {}, context.now);
  // The layout's unread count too.
  revalidatePath("/", "layout");
});

/** The viewer's channel choices: mail on or off. */
export const savePreferencesAction = formAction(z.object({ email: checkbox }), async (input, context) => {
  const saved = await saveMyNotificationPreferences(context.viewer, { isEmailEnabled: input.email }, context.now);
  revalidatePath("/notifications");
  return {
    message: null,
    fields: {},
    values: { email: saved.isEmailEnabled ? "on" : "" },
    result: saved.isEmailEnabled
      ? ("Saved: you get notification mail." as const)
      : ("Saved: mail is off, except urgent news." as const),
  };
});
