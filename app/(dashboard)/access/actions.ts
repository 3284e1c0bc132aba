"use server";
import { z } from "zod";
import { requestAccess } from "@/lib/access/request-access";
import { ZRequestAccessInput } from "@/lib/access/schemas";
import { checkbox, formAction } from "@/lib/form-action";

/** The request form: a start time counts only with "Later" chosen, and break-glass is a checkbox. */
const ZRequestForm = z.preprocess(
  (fields: Record<string, string>) => ({ ...fields, startAt: fields.start === "later" ? fields.startAt : null }),
  ZRequestAccessInput.extend({ breakGlass: checkbox }),
);

export const submitRequest = formAction(ZRequestForm, async (input, context) => {
  const request = await requestAccess(input, context);
  return { redirectTo: `/requests/${request.id}` };
});
