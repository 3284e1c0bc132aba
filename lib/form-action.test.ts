import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { ActionContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { text } from "@/lib/validation/fields";
import { NO_FIELDS, checkbox, formAction } from "./form-action";
import { EMPTY_FORM_STATE } from "./forms";

vi.mock("@/lib/log", () => ({ log: { error: vi.fn() } }));
// The session and request headers exist only inside Next: each case passes its own context.
vi.mock("@/lib/auth/action-context", () => ({ actionContext: vi.fn() }));

const context = {
  viewer: { id: "u1" },
  origin: { correlationId: "corr-42", channel: "web" },
  now: new Date("2026-11-23T08:00:00Z"),
} as unknown as ActionContext;
const inContext = async () => context;

const ZInput = z.object({
  reason: text("the reason").trim().min(1, "Say why."),
  endSessions: checkbox,
});

function formOf(fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

/** Submits an empty form to an action whose use case throws `error`. */
const submitFailing = (error: unknown) =>
  formAction(
    NO_FIELDS,
    async () => {
      throw error;
    },
    { context: inContext },
  )(EMPTY_FORM_STATE, new FormData());

beforeEach(() => vi.mocked(log.error).mockClear());

describe("formAction", () => {
  it("parses the form with the schema and passes the bound arguments, the input and the context", async () => {
    const handler = vi.fn(
      async (_input: unknown, _context: ActionContext, _id: string, _returnTo: string) => undefined,
    );
    const action = formAction(ZInput, handler, { context: inContext });
    const state = await action("req-1", "admin", EMPTY_FORM_STATE, formOf({ reason: "  done ", endSessions: "on" }));
    expect(state).toEqual(EMPTY_FORM_STATE);
    expect(handler).toHaveBeenCalledWith({ reason: "done", endSessions: true }, context, "req-1", "admin");
  });

  it("reads an unticked checkbox as false and ignores fields the schema does not name", async () => {
    const handler = vi.fn(async () => undefined);
    await formAction(ZInput, handler, { context: inContext })(
      EMPTY_FORM_STATE,
      formOf({ reason: "x", $ACTION_REF_1: "" }),
    );
    expect(handler).toHaveBeenCalledWith({ reason: "x", endSessions: false }, context);
  });

  it("returns what the handler returns, with or without a form", async () => {
    const action = formAction(NO_FIELDS, async () => ({ message: null, fields: {}, result: 3 }), {
      context: inContext,
    });
    expect(await action(EMPTY_FORM_STATE, new FormData())).toEqual({ message: null, fields: {}, result: 3 });
    expect(await action(EMPTY_FORM_STATE)).toEqual({ message: null, fields: {}, result: 3 });
  });

  it("tells the bound arguments from the form when code leaves the form out", async () => {
    const handler = vi.fn(async (_input: unknown, _context: ActionContext, _id: string) => undefined);
    await formAction(NO_FIELDS, handler, { context: inContext })("req-1", EMPTY_FORM_STATE);
    expect(handler).toHaveBeenCalledWith({}, context, "req-1");
  });

  it("names each invalid field and does not call the handler", async () => {
    const handler = vi.fn(async () => undefined);
    const state = await formAction(ZInput, handler, { context: inContext })(EMPTY_FORM_STATE, formOf({ reason: " " }));
    expect(state).toEqual({
      message: "Please fix the fields marked below.",
      fields: { reason: "Say why." },
      values: { reason: " " },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("hands back what was typed after a refusal, but neither a step-up token nor React's own fields", async () => {
    const handler = vi.fn(async () => {
      throw new AppError("CONFLICT", { message: "no", userMessage: "Not now." });
    });
    const form = formOf({ reason: "Because", stepUpToken: "eyJ.secret", $ACTION_ID_abc: "" });
    const state = await formAction(NO_FIELDS, handler, { context: inContext })(EMPTY_FORM_STATE, form);
    expect(state.values).toEqual({ reason: "Because" });
  });

  it("shows an expected error's words and link, and logs nothing", async () => {
    const link = { href: "/requests/r1", label: "Open it" };
    const refusal = new AppError("CONFLICT", { message: "duplicate", userMessage: "You asked already.", link });
    const state = await submitFailing(refusal);
    expect(state).toEqual({ message: "You asked already.", fields: {}, link });
    expect(log.error).not.toHaveBeenCalled();
  });

  it("refuses without a session before reading the form", async () => {
    const signedOut = async (): Promise<ActionContext> => {
      throw new AppError("UNAUTHENTICATED", { message: "no session", userMessage: "Sign in again." });
    };
    const handler = vi.fn(async () => undefined);
    const state = await formAction(ZInput, handler, { context: signedOut })(EMPTY_FORM_STATE, formOf({ reason: "" }));
    expect(state).toEqual({ message: "Sign in again.", fields: {}, values: { reason: "" } });
    expect(handler).not.toHaveBeenCalled();
  });

  it("builds a failure's state on the form's initial state", async () => {
    const initial = { message: null, fields: {}, result: null };
    const action = formAction(
      NO_FIELDS,
      async () => {
        throw new AppError("FORBIDDEN", { message: "no", userMessage: "You may not." });
      },
      { initial, context: inContext },
    );
    expect(await action(initial)).toEqual({ message: "You may not.", fields: {}, result: null });
  });

  it("answers an unexpected error with the request's correlation id as the reference, and logs it with it", async () => {
    const failure = new Error("socket hang up");
    const state = await submitFailing(failure);
    expect(state.reference).toBe("corr-42");
    expect(state.message).toBe(
      "Something went wrong and nothing was saved. Try again; if it keeps failing, give your admin this reference: corr-42.",
    );
    expect(log.error).toHaveBeenCalledWith({ err: failure, correlationId: "corr-42" }, "form action failed");
  });

  it("redirects after a handler that says where to, with Next's redirect", async () => {
    const action = formAction(NO_FIELDS, async () => ({ redirectTo: "/requests/r1" }), { context: inContext });
    await expect(action(EMPTY_FORM_STATE, new FormData())).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;\w+;\/requests\/r1;/),
    });
  });
});
