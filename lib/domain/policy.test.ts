import { describe, expect, it } from "vitest";
import { checkDecider, checkRequest, type RequestDraft } from "./policy";
import type { RolePolicy } from "./policy-types";

const now = new Date("2026-11-23T10:00:00Z");
const policy: RolePolicy = {
  eligibleGroupIds: ["g-default"],
  approverGroupIds: ["g-approver"],
  approvalsRequired: 1,
  maxDurationMinutes: 480,
  defaultDurationMinutes: 60,
  justification: { isRequired: true },
  ticket: {
    isRequired: true,
    pattern: "(INC|CHG)[0-9]{4,}",
    message: "Use an incident or change number, e.g. INC12345.",
  },
  pendingTimeoutMinutes: 1440,
  isScheduledStartAllowed: true,
  maxStartAheadMinutes: 10080,
  isBreakGlassAllowed: false,
};
const draft: RequestDraft = {
  durationMinutes: 60,
  justification: "Rotate certificates",
  ticket: "INC12345",
  startAt: null,
  isBreakGlass: false,
};
const check = (d: Partial<RequestDraft>, p: Partial<RolePolicy> = {}, groups = ["g-default"]) =>
  checkRequest({ draft: { ...draft, ...d }, policy: { ...policy, ...p }, requesterGroupIds: groups, now });

describe("checkRequest", () => {
  it("accepts a request within policy", () => {
    expect(check({})).toEqual([]);
  });

  it.each([
    ["a requester outside the eligible groups", {}, {}, ["g-other"], "eligibility", "not in a group that may request"],
    [
      "a duration over the maximum",
      { durationMinutes: 540 },
      {},
      undefined,
      "duration",
      "9 h is longer than this role allows (at most 8 h)",
    ],
    ["a zero duration", { durationMinutes: 0 }, {}, undefined, "duration", "at least one minute"],
    ["a missing justification", { justification: "  " }, {}, undefined, "justification", "A justification is required"],
    [
      "a justification not matching its pattern",
      { justification: "because" },
      { justification: { isRequired: true, pattern: ".{20,}", message: "Write at least 20 characters." } },
      undefined,
      "justification",
      "Write at least 20 characters.",
    ],
    ["a missing ticket", { ticket: "" }, {}, undefined, "ticket", "A ticket is required"],
    ["a malformed ticket", { ticket: "JIRA-1" }, {}, undefined, "ticket", "Use an incident or change number"],
    [
      "a ticket that only contains a valid one",
      { ticket: "xINC12345" },
      {},
      undefined,
      "ticket",
      "Use an incident or change number",
    ],
    ["a start in the past", { startAt: new Date("2026-11-23T09:00:00Z") }, {}, undefined, "startAt", "in the past"],
    [
      "a start too far ahead",
      { startAt: new Date("2026-12-23T09:00:00Z") },
      {},
      undefined,
      "startAt",
      "at most 7 d ahead",
    ],
    [
      "a scheduled start where not allowed",
      { startAt: new Date("2026-11-23T11:00:00Z") },
      { isScheduledStartAllowed: false },
      undefined,
      "startAt",
      "choose “now”",
    ],
    [
      "break-glass where not allowed",
      { isBreakGlass: true },
      {},
      undefined,
      "breakGlass",
      "Break-glass is not allowed",
    ],
  ] as const)("refuses %s", (_case, d, p, groups, field, message) => {
    const violations = check(d, p, groups ? [...groups] : undefined);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ field });
    expect(violations[0]!.message).toContain(message);
  });

  it("accepts an optional ticket left empty", () => {
    expect(check({ ticket: undefined }, { ticket: { isRequired: false } })).toEqual([]);
  });

  it("reports every problem at once, in form order", () => {
    expect(check({ durationMinutes: 999, justification: "", ticket: "x" }).map((v) => v.field)).toEqual([
      "duration",
      "justification",
      "ticket",
    ]);
  });
});

describe("checkDecider", () => {
  it.each([
    ["an approver deciding someone else's request", "n01", "p01", ["g-approver"], true, undefined],
    ["an approver deciding their own request", "n02", "n02", ["g-approver", "g-default"], false, "self"],
    ["someone outside the approver groups", "n01", "aud01", ["g-auditors"], false, "not_approver"],
  ] as const)("%s", (_case, requesterId, actorId, groups, isAllowed, reason) => {
    const result = checkDecider({ policy, requesterId, actorId, actorGroupIds: groups });
    expect(result.isAllowed).toBe(isAllowed);
    if (!result.isAllowed) expect(result.reason).toBe(reason);
  });
});
