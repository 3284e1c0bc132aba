import { describe, expect, it } from "vitest";
import { listBreakGlassToReview } from "@/lib/access/break-glass-reviews";
import { requestAccess } from "@/lib/access/request-access";
import { reviewBreakGlass } from "@/lib/access/review-break-glass";
import { buildEvidencePack } from "@/lib/audit/evidence";
import { checkEvidencePack } from "@/lib/audit/evidence-check";
import { db } from "@/lib/db/client";
import { escalateOverdueBreakGlassReviews } from "@/lib/notify/follow-up";
import { notifyRecipients } from "@/lib/notify/notify-recipients";
import { listMyNotifications } from "@/lib/notify/queries";
import { contextFor } from "../support/users";

/**
 * Break-glass access is reviewed afterwards: the queue, "Mark reviewed" with its note and late
 * ticket, the audit event in the evidence pack, and the escalation of overdue reviews.
 */

const breakGlass = {
  cluster: "aks-prod-weu",
  role: "admin",
  duration: "PT1H",
  justification: "Prod is down, P1",
  breakGlass: true,
};

async function refusal(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: unknown) => error as { code: string; userMessage: string; fields: Array<{ field: string }> },
  );
}

describe("break-glass review", () => {
  it("queues break-glass access for the role's approvers and the auditors until someone else reviews it", async () => {
    const n02 = await contextFor("n02@contoso.com");
    const p01 = await contextFor("p01@contoso.com");
    const aud01 = await contextFor("aud01@contoso.com");
    const request = await requestAccess(breakGlass, n02);
    const normal = await requestAccess({ ...breakGlass, breakGlass: false, ticket: "INC50001" }, n02);

    const queued = (await listBreakGlassToReview(p01.viewer)).find((r) => r.id === request.id);
    expect(queued).toMatchObject({ isTicketOwed: true, canReview: true, justification: "Prod is down, P1" });
    expect((await listBreakGlassToReview(p01.viewer)).some((r) => r.id === normal.id)).toBe(false);
    expect((await listBreakGlassToReview(aud01.viewer)).some((r) => r.id === request.id)).toBe(true);
    // n02 approves this role too, but never reviews their own break-glass.
    expect((await listBreakGlassToReview(n02.viewer)).find((r) => r.id === request.id)).toMatchObject({
      canReview: false,
    });
    const own = await refusal(reviewBreakGlass(request.id, { note: "fine", ticket: "INC50002" }, n02));
    expect(own).toMatchObject({ code: "FORBIDDEN", userMessage: expect.stringContaining("someone else") });
    const requester = await refusal(listBreakGlassToReview((await contextFor("n01@contoso.com")).viewer));
    expect(requester.code).toBe("FORBIDDEN");

    // The ticket is owed: neither ticket nor reason, or a ticket in the wrong format, is refused on its field.
    const none = await refusal(reviewBreakGlass(request.id, { note: "Checked the incident" }, p01));
    expect(none).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "ticket" }] });
    const wrong = await refusal(reviewBreakGlass(request.id, { note: "Checked", ticket: "12345" }, p01));
    expect(wrong.userMessage).toContain("does not fit this role's format");
    const noNote = await refusal(reviewBreakGlass(request.id, { note: "  ", ticket: "INC50003" }, p01));
    expect(noNote).toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "note" }] });
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).reviewedAt).toBeNull();

    await reviewBreakGlass(request.id, { note: "Real outage, access used for it", ticket: " inc50003 " }, p01);
    const row = await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row).toMatchObject({ ticket: "INC50003", reviewedById: p01.viewer.id });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "break_glass.reviewed" },
    });
    expect(event).toMatchObject({
      actorUpn: "p01@contoso.com",
      data: {
        note: "Real outage, access used for it",
        ticket: "INC50003",
        noTicketReason: null,
        wasTicketOwed: true,
        wasOverdue: false,
      },
    });
    expect((await listBreakGlassToReview(p01.viewer)).some((r) => r.id === request.id)).toBe(false);
    expect((await listBreakGlassToReview(aud01.viewer)).some((r) => r.id === request.id)).toBe(false);
    const again = await refusal(reviewBreakGlass(request.id, { note: "again" }, aud01));
    expect(again).toMatchObject({ code: "CONFLICT", userMessage: expect.stringContaining("already been reviewed") });

    // The auditor's evidence pack holds the review and still verifies.
    const pack = await buildEvidencePack(aud01, request.id);
    expect(pack.events.map((e) => e.type)).toContain("break_glass.reviewed");
    expect(checkEvidencePack(pack)).toMatchObject({ isValid: true });
  });

  it("accepts an explicit 'no ticket exists' instead of the late ticket", async () => {
    const request = await requestAccess(breakGlass, await contextFor("n01@contoso.com"));
    await reviewBreakGlass(
      request.id,
      { note: "Checked", noTicketReason: "Fixed before a ticket was opened" },
      await contextFor("aud01@contoso.com"),
    );
    const event = await db.auditEvent.findFirstOrThrow({
      where: { requestId: request.id, type: "break_glass.reviewed" },
    });
    expect(event.data).toMatchObject({ ticket: null, noTicketReason: "Fixed before a ticket was opened" });
    expect((await db.accessRequest.findUniqueOrThrow({ where: { id: request.id } })).ticket).toBeNull();
  });

  it("escalates each overdue review once, to the escalation groups and the auditors, linking to the review form", async () => {
    const overdue = await requestAccess({ ...breakGlass, ticket: "INC50010" }, await contextFor("n01@contoso.com"));
    const reviewed = await requestAccess({ ...breakGlass, ticket: "INC50011" }, await contextFor("n01@contoso.com"));
    await reviewBreakGlass(reviewed.id, { note: "Checked" }, await contextFor("p01@contoso.com"));

    // Not before the policy's reviewWithin (P1D in the demo catalog) …
    await escalateOverdueBreakGlassReviews(new Date(Date.now() + 23 * 3_600_000));
    expect(
      await db.notificationEvent.count({ where: { requestId: overdue.id, kind: "break_glass_review_overdue" } }),
    ).toBe(0);
    // … then once per overdue request, however often the sweep runs.
    const later = new Date(Date.now() + 25 * 3_600_000);
    await escalateOverdueBreakGlassReviews(later);
    await escalateOverdueBreakGlassReviews(later);
    const events = await db.notificationEvent.findMany({ where: { kind: "break_glass_review_overdue" } });
    expect(events.filter((e) => e.requestId === overdue.id)).toHaveLength(1);
    expect(events.some((e) => e.requestId === reviewed.id)).toBe(false);

    await notifyRecipients(`break-glass-review-overdue:${overdue.id}`, later);
    const aud01 = await contextFor("aud01@contoso.com");
    const told = (await listMyNotifications(aud01.viewer)).filter((n) => n.requestId === overdue.id);
    expect(told.map((n) => [n.kind, n.linkPath])).toContainEqual([
      "break_glass_review_overdue",
      `/requests/${overdue.id}#review`,
    ]);
    // The review settles the alert and the overdue notice in everyone's list, and they stop counting as unread.
    await notifyRecipients(`break-glass:${overdue.id}`, later);
    const unreadBefore = (await listMyNotifications(aud01.viewer)).filter(
      (n) => n.requestId === overdue.id && !n.isRead,
    );
    expect(unreadBefore.map((n) => n.kind).sort()).toEqual(["break_glass", "break_glass_review_overdue"]);
    await reviewBreakGlass(overdue.id, { note: "Checked late" }, await contextFor("p01@contoso.com"));
    const after = (await listMyNotifications(aud01.viewer)).filter((n) => n.requestId === overdue.id);
    expect(after.map((n) => [n.kind, n.isRead, n.resolution])).toEqual(
      expect.arrayContaining([
        ["break_glass", true, expect.stringMatching(/^Reviewed by p01@contoso\.com at \d{4}-\d\d-\d\d \d\d:\d\d UTC$/)],
        ["break_glass_review_overdue", true, expect.stringMatching(/^Reviewed by p01@contoso\.com at /)],
      ]),
    );
  });
});
