import { describe, expect, it } from "vitest";
import type { RequestViewer } from "./affordances";
import {
  checkReview,
  isReviewOverdue,
  mayReviewBreakGlass,
  reviewDueAt,
  type ReviewableRequest,
} from "./break-glass-review";
import { TEST_POLICY } from "./test-fixtures";

const TICKETED = {
  ...TEST_POLICY,
  ticket: { isRequired: true, pattern: "^(INC|CHG)[0-9]{4,}$", message: "Use an incident number, e.g. INC12345" },
};
const filed = new Date("2026-12-05T10:00:00Z");

function request(overrides: Partial<ReviewableRequest> = {}): ReviewableRequest {
  return {
    requesterId: "n01",
    isBreakGlass: true,
    ticket: null,
    reviewedAt: null,
    createdAt: filed,
    policy: TICKETED,
    ...overrides,
  };
}

const viewer = (id: string, permissions: RequestViewer["permissions"], groupIds: string[] = []): RequestViewer => ({
  id,
  permissions,
  groupIds,
});

describe("mayReviewBreakGlass", () => {
  it.each([
    ["an approver of the role", viewer("p01", ["request.approve"], ["G-APPROVER"]), request(), true],
    ["an auditor", viewer("a01", ["audit.read"]), request(), true],
    ["an approver of other roles", viewer("p02", ["request.approve"], ["g-other"]), request(), false],
    ["a member of the group without the approver role", viewer("x01", [], ["g-approver"]), request(), false],
    [
      "the requester, even an auditor",
      viewer("n01", ["audit.read", "request.approve"], ["g-approver"]),
      request(),
      false,
    ],
    ["anyone, once reviewed", viewer("a01", ["audit.read"]), request({ reviewedAt: filed }), false],
    ["anyone, for a normal request", viewer("a01", ["audit.read"]), request({ isBreakGlass: false }), false],
  ])("%s: %s", (_case, who, req, expected) => {
    const answer = mayReviewBreakGlass(who, req);
    expect(answer.isAllowed).toBe(expected);
    if (!answer.isAllowed) expect(answer.message).toMatch(/\.$/);
  });

  it("tells the requester that someone else must review it", () => {
    expect(mayReviewBreakGlass(viewer("n01", ["audit.read"]), request())).toMatchObject({
      message: expect.stringContaining("someone else"),
    });
  });
});

describe("reviewDueAt and isReviewOverdue", () => {
  it("is due after the policy's reviewWithin, one day when the snapshot has none", () => {
    expect(reviewDueAt(request()).toISOString()).toBe("2026-12-06T10:00:00.000Z");
    const hourly = request({ policy: { ...TICKETED, breakGlassReviewWithinMinutes: 60 } });
    expect(reviewDueAt(hourly).toISOString()).toBe("2026-12-05T11:00:00.000Z");
    expect(isReviewOverdue(hourly, new Date("2026-12-05T10:59:59Z"))).toBe(false);
    expect(isReviewOverdue(hourly, new Date("2026-12-05T11:00:00Z"))).toBe(true);
    expect(isReviewOverdue({ ...hourly, reviewedAt: filed }, new Date("2026-12-07T00:00:00Z"))).toBe(false);
  });
});

describe("checkReview", () => {
  it.each([
    ["the late ticket, normalized", request(), { note: "ok", ticket: " inc12345 " }, { ticket: "INC12345" }],
    ["why no ticket exists", request(), { note: "ok", noTicketReason: "Fixed live" }, { noTicketReason: "Fixed live" }],
    [
      "nothing more when the ticket was given",
      request({ ticket: "INC1" }),
      { note: "ok", ticket: "X" },
      { ticket: null },
    ],
    [
      "nothing more when the role asks for no ticket",
      request({ policy: TEST_POLICY }),
      { note: "ok" },
      { ticket: null, wasTicketOwed: false },
    ],
  ])("records %s", (_case, req, draft, expected) => {
    expect(checkReview(req, draft)).toMatchObject({ isAccepted: true, ...expected });
  });

  it.each([
    ["neither a ticket nor a reason", { note: "ok" }, /give the ticket now, or say why none exists/],
    [
      "a ticket in the wrong format",
      { note: "ok", ticket: "12345" },
      /does not fit this role's format\. Use an incident/,
    ],
  ])("refuses %s, on the ticket field", (_case, draft, message) => {
    const outcome = checkReview(request(), draft);
    expect(outcome).toMatchObject({ isAccepted: false, field: "ticket" });
    if (!outcome.isAccepted) expect(outcome.message).toMatch(message);
  });
});
