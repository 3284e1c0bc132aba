"use server";
import { revalidatePath } from "next/cache";
import { verifyAuditHistory } from "@/lib/audit/verification";
import { NO_FIELDS, formAction } from "@/lib/form-action";

export const verifyChainAction = formAction(NO_FIELDS, async (_input, context) => {
  await verifyAuditHistory(context);
  revalidatePath("/audit");
});
