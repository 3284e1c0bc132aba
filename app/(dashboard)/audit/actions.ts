"use server";
import { revalidatePath } from "next/cache";
import { randomUUID } from "node:crypto";
import { formStateFromError, type FormState } from "@/lib/access/form-state";
import { verifyAuditHistory } from "@/lib/audit/verification";
import { actionContext } from "@/lib/auth/action-context";

export async function verifyChainAction(_previous: FormState): Promise<FormState> {
  try {
    await verifyAuditHistory(await actionContext());
  } catch (error) {
    return formStateFromError(error, randomUUID());
  }
  revalidatePath("/audit");
  return { message: null, fields: {} };
}
