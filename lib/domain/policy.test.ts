import { describe, expect, it } from "vitest";
import {
  checkDecider,
  checkExtension,
  checkRequest,
  isTicketOwed,
  normalizeDraft,
  normalizeTicket,
  type RequestDraft,
} from "./policy";
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
  extension: { isAllowed: true, maxTotalMinutes: 720, isApprovalRequired: false },
  isSessionRevokedOnEnd: false,
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

describe("tickets as people type them", () => {
  it.each([
    ["lower case", "inc12345", "INC12345"],
    ["mixed case with spaces around", "  Chg0042 ", "CHG0042"],
    ["already upper case", "INC12345", "INC12345"],
    ["nothing", "   ", undefined],
    ["absent", undefined, undefined],
  ])("normalizes %s", (_case, typed, stored) => {
    expect(normalizeTicket(policy.ticket, typed)).toBe(stored);
  });

  it("upper-cases where the role has no pattern", () => {
    expect(normalizeTicket({ isRequired: false }, " jira-7 ")).toBe("JIRA-7");
  });

  it("keeps the case a role's pattern asks for", () => {
    expect(normalizeTicket({ isRequired: true, pattern: "sr-[0-9]+" }, " sr-12 ")).toBe("sr-12");
  });

  it("accepts a lower-case ticket and stores it upper-cased", () => {
    expect(check({ ticket: " inc12345 " })).toEqual([]);
    expect(normalizeDraft({ ...draft, ticket: " inc12345 " }, policy).ticket).toBe("INC12345");
  });

  it("says what fits in the catalog's words, quoting what was typed, never the pattern", () => {
    const [violation] = check({ ticket: "jira-1" });
    expect(violation!.message).toBe(
      'A ticket "JIRA-1" does not fit this role\'s format. Use an incident or change number, e.g. INC12345.',
    );
    const [unexplained] = check({ ticket: "jira-1" }, { ticket: { isRequired: true, pattern: "INC[0-9]+" } });
    expect(unexplained!.message).not.toContain("INC[0-9]+");
    expect(unexplained!.message).toContain("Ask a platform admin");
  });
});

describe("checkRequest: break-glass", () => {
  const breakGlass = { isBreakGlass: true };
  const allowed = { isBreakGlassAllowed: true, justification: { isRequired: false } };

  it("accepts break-glass with a reason where the role allows it", () => {
    expect(check(breakGlass, allowed)).toEqual([]);
  });

  it.each([
    ["without a reason, even where the role makes one optional", { justification: "" }, allowed, ["justification"]],
    ["where the role does not allow it", {}, { isBreakGlassAllowed: false }, ["breakGlass"]],
    [
      "without a reason where the role does not allow it either",
      { justification: "" },
      { isBreakGlassAllowed: false },
      ["justification", "breakGlass", "justification"],
    ],
  ] as const)("refuses break-glass %s", (_what, d, p, fields) => {
    expect(check({ ...breakGlass, ...d }, p).map((v) => v.field)).toEqual(fields);
  });

  it("asks break-glass for what is broken and why it cannot wait", () => {
    expect(check({ ...breakGlass, justification: "" }, allowed)[0]?.message).toMatch(/Break-glass needs a reason/);
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

describe("checkExtension", () => {
  const activeFrom = new Date("2026-11-23T09:00:00Z");
  const activeUntil = new Date("2026-11-23T11:00:00Z");
  const extend = (extraMinutes: number, extension: Partial<RolePolicy["extension"]> = {}, at = now) =>
    checkExtension({
      policy: { extension: { ...policy.extension, ...extension } },
      activeFrom,
      activeUntil,
      extraMinutes,
      now: at,
    });

  it("moves the end out by the extra time, within the total", () => {
    expect(extend(60)).toEqual({ isAllowed: true, until: new Date("2026-11-23T12:00:00Z") });
    // 2 h used, 12 h allowed in all: 10 h more is the limit.
    expect(extend(600)).toMatchObject({ isAllowed: true });
  });

  it.each([
    ["beyond the total", 601, {}, now, /at most 12 h in all; you can extend by up to 10 h/],
    ["when the role does not allow it", 60, { isAllowed: false }, now, /cannot be extended/],
    ["when approvers must decide it", 60, { isApprovalRequired: true }, now, /needs approval: file a new request/],
    ["by nothing", 0, {}, now, /at least one minute/],
    ["after the access ended", 60, {}, activeUntil, /already ended/],
    ["when the total is already used", 60, { maxTotalMinutes: 120 }, now, /already lasts the most/],
  ])("refuses an extension %s", (_what, minutes, rule, at, message) => {
    const result = extend(minutes, rule, at);
    expect(result.isAllowed).toBe(false);
    if (!result.isAllowed) expect(result.message).toMatch(message);
  });
});

describe("break-glass: ticket later", () => {
  const breakGlass = { isBreakGlass: true, ticket: undefined };
  const allowed = { isBreakGlassAllowed: true };

  it("files break-glass without the ticket the role otherwise requires, and owes it", () => {
    expect(check(breakGlass, allowed)).toEqual([]);
    expect(isTicketOwed({ ...policy, ...allowed }, breakGlass)).toBe(true);
  });

  it("still checks a ticket given with break-glass", () => {
    expect(check({ ...breakGlass, ticket: "JIRA-1" }, allowed).map((v) => v.field)).toEqual(["ticket"]);
  });

  it("still needs the justification", () => {
    expect(check({ ...breakGlass, justification: " " }, allowed).map((v) => v.field)).toContain("justification");
  });

  it("owes nothing with a ticket, without break-glass, or where the role asks for none", () => {
    expect(isTicketOwed(policy, { isBreakGlass: true, ticket: "INC12345" })).toBe(false);
    expect(isTicketOwed(policy, { isBreakGlass: false, ticket: null })).toBe(false);
    expect(isTicketOwed({ ...policy, ticket: { isRequired: false } }, { isBreakGlass: true })).toBe(false);
  });

  it("asks for the ticket where break-glass is not allowed", () => {
    expect(check(breakGlass).map((v) => v.field)).toEqual(["ticket", "breakGlass"]);
  });
});
