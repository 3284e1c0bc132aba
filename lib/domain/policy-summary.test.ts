import { describe, expect, it } from "vitest";
import { TEST_POLICY } from "./test-fixtures";
import { policyInBrief, policyRules, policyTerms } from "./policy-summary";
import type { RolePolicy } from "./policy-types";

const prodAdmin: RolePolicy = {
  ...TEST_POLICY,
  isBreakGlassAllowed: false,
  ticket: { isRequired: true, pattern: "INC[0-9]+", message: "Use an incident number, e.g. INC12345." },
};
const selfActivated: RolePolicy = {
  ...TEST_POLICY,
  approvalsRequired: 0,
  approverGroupIds: [],
  isScheduledStartAllowed: false,
};

describe("policy summary", () => {
  it.each([
    ["one approval with a ticket", prodAdmin, "1 approval, up to 8 h, ticket required"],
    ["two approvals", { ...TEST_POLICY, approvalsRequired: 2 }, "2 approvals, up to 8 h"],
    ["self-activation", selfActivated, "no approval, up to 8 h"],
  ])("sums up %s in one line", (_what, policy, line) => {
    expect(policyInBrief(policy)).toBe(line);
  });

  it("gives the requester the rules as sentences, leaving out the timeout when nothing waits", () => {
    expect(policyRules(prodAdmin)).toEqual([
      "Needs 1 approval from an approver; nobody approves their own request.",
      "Up to 8 h (default 1 h).",
      "Justification: Required.",
      "Ticket: Required. Use an incident number, e.g. INC12345.",
      "Unanswered requests time out after 1 h.",
      "A later start is allowed, up to 7 d ahead.",
    ]);
    expect(policyRules(selfActivated)).not.toContainEqual(expect.stringMatching(/time out/));
    expect(policyRules({ ...TEST_POLICY, approvalsRequired: 2 })[0]).toMatch(
      /^Needs 2 approvals from different people/,
    );
  });

  it("never shows a requester the pattern, even where the catalog gives no message", () => {
    const unexplained = { ...prodAdmin, ticket: { isRequired: true, pattern: "INC[0-9]+" } };
    const rules = [...policyRules(prodAdmin), ...policyRules(unexplained)];
    expect(rules.filter((rule) => rule.includes("INC[0-9]+"))).toEqual([]);
    expect(policyRules(unexplained)).toContain("Ticket: Required. Ask a platform admin which format it takes.");
  });

  it("tells the requester that break-glass may bring its ticket later", () => {
    expect(policyRules({ ...prodAdmin, isBreakGlassAllowed: true })).toContain(
      "Break-glass: the ticket may follow later; the justification is always required.",
    );
    expect(policyRules(prodAdmin).join(" ")).not.toMatch(/Break-glass/);
  });

  it("shows the admin, who writes it, the pattern beside its words", () => {
    expect(policyTerms(prodAdmin).find((t) => t.term === "Ticket")?.text).toBe(
      "Required. Use an incident number, e.g. INC12345 (pattern INC[0-9]+)",
    );
  });

  it("describes every rule to the admin, with the groups apart", () => {
    const terms = policyTerms(selfActivated);
    expect(terms.map((t) => t.term)).toEqual([
      "Who may request",
      "Approval",
      "Approvers",
      "Duration",
      "Justification",
      "Ticket",
      "Pending timeout",
      "Scheduled start",
      "Break-glass",
    ]);
    expect(terms[0]).toEqual({ term: "Who may request", text: "Members of these groups:", groupIds: ["g-default"] });
    expect(terms.find((t) => t.term === "Approvers")?.text).toBe("None");
    expect(terms.find((t) => t.term === "Pending timeout")?.text).toMatch(/Does not apply/);
  });
});
