import { describe, expect, it } from "vitest";
import { cancelRequest } from "@/lib/access/cancel-request";
import { requestAccess } from "@/lib/access/request-access";
import { ZRequestAccessInput } from "@/lib/access/schemas";
import { db } from "@/lib/db/client";
import { formAction } from "@/lib/form-action";
import { EMPTY_FORM_STATE } from "@/lib/forms";
import { contextFor } from "../support/users";

/**
 * Guards the reference a user is asked to quote after an unexpected failure: it must lead to the
 * audit rows of that same action. It was a fresh random id that no audit row carried.
 */
describe("a dashboard form whose action fails unexpectedly", () => {
  it("shows the correlation id that the action's audit rows carry as its reference", async () => {
    const context = await contextFor("n01@contoso.com");
    let requestId = "";
    const fileThenFail = formAction(
      ZRequestAccessInput,
      async (input, acting) => {
        requestId = (await requestAccess(input, acting)).id;
        await cancelRequest(requestId, acting);
        throw new Error("something broke after the writes");
      },
      { context: async () => context },
    );
    const form = new FormData();
    form.set("cluster", "aks-prod-weu");
    form.set("role", "node-access");
    form.set("duration", "PT1H");
    form.set("justification", "Read the kubelet logs of a failing node");
    form.set("ticket", "INC20315");

    const state = await fileThenFail(EMPTY_FORM_STATE, form);

    const rows = await db.auditEvent.findMany({ where: { requestId }, select: { type: true, correlationId: true } });
    expect(rows.map((row) => row.type)).toEqual(expect.arrayContaining(["request.created", "request.cancelled"]));
    expect(state.reference).toBe(context.origin.correlationId);
    expect(rows.map((row) => row.correlationId)).toEqual(rows.map(() => state.reference));
    expect(state.message).toContain(`give your admin this reference: ${state.reference}.`);
  });
});
