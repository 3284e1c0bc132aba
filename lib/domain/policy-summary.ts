/**
 * A role's policy in words, written once: the requester's one-line summary (My access), the rules
 * beside the request form, and the admin's full description of the catalog all come from here, so
 * that a policy field added to the catalog is described in one place.
 */
import { describeDuration } from "./duration";
import type { RolePolicy, TextRule } from "./policy-types";

/** One line of a role's policy: a term and its meaning, with any group ids listed apart. */
export interface PolicyTerm {
  term: string;
  text: string;
  groupIds?: string[];
}

const approvalCount = (count: number) => (count === 1 ? "1 approval" : `${count} approvals`);
const approvals = (count: number) => `${approvalCount(count)}${count > 1 ? " from different people" : ""}`;
const isSelfActivated = (policy: RolePolicy) => policy.approvalsRequired === 0;

/**
 * A text field's rule in words: the catalog's `message` says what fits. The pattern itself is shown
 * only to admins (`withPattern`), who write it; requesters never read a regular expression.
 */
function textRule(rule: TextRule, whenOptional: string, withPattern = false): string {
  if (!rule.isRequired && !rule.pattern) return whenOptional;
  if (!rule.pattern) return "Required";
  const fits = (rule.message ?? "Ask a platform admin which format it takes").replace(/[.!?]$/, "");
  const pattern = withPattern ? ` (pattern ${rule.pattern})` : "";
  return `${rule.isRequired ? "Required" : "Optional"}. ${fits}${pattern}`;
}

const words = {
  approval: (policy: RolePolicy) =>
    isSelfActivated(policy)
      ? "No approval: access is granted as soon as it is requested"
      : `Needs ${approvals(policy.approvalsRequired)} from an approver; nobody approves their own request`,
  duration: (policy: RolePolicy) =>
    `Up to ${describeDuration(policy.maxDurationMinutes)} (default ${describeDuration(policy.defaultDurationMinutes)})`,
  pendingTimeout: (policy: RolePolicy) =>
    isSelfActivated(policy)
      ? "Does not apply: nothing waits for approval"
      : `Unanswered requests time out after ${describeDuration(policy.pendingTimeoutMinutes)}`,
  scheduledStart: (policy: RolePolicy) =>
    policy.isScheduledStartAllowed
      ? `A later start is allowed, up to ${describeDuration(policy.maxStartAheadMinutes)} ahead`
      : "Starts as soon as approved",
  breakGlass: (policy: RolePolicy) =>
    policy.isBreakGlassAllowed
      ? "Allowed: active without approval, with a mandatory reason, a loud notification and a review afterwards"
      : "Not allowed",
};

/** One line for a list of roles, e.g. "1 approval, up to 8 h, ticket required". */
export function policyInBrief(policy: RolePolicy): string {
  return [
    isSelfActivated(policy) ? "no approval" : approvalCount(policy.approvalsRequired),
    `up to ${describeDuration(policy.maxDurationMinutes)}`,
    policy.ticket.isRequired ? "ticket required" : null,
  ]
    .filter(Boolean)
    .join(", ");
}

/** What a requester needs to know while filling in the form, one sentence each. */
export function policyRules(policy: RolePolicy): string[] {
  return [
    words.approval(policy),
    words.duration(policy),
    `Justification: ${textRule(policy.justification, "Optional")}`,
    `Ticket: ${textRule(policy.ticket, "Optional")}`,
    ...(policy.isBreakGlassAllowed && policy.ticket.isRequired
      ? ["Break-glass: the ticket may follow later; the justification is always required"]
      : []),
    ...(isSelfActivated(policy) ? [] : [words.pendingTimeout(policy)]),
    words.scheduledStart(policy),
  ].map((sentence) => (/[.!?]$/.test(sentence) ? sentence : `${sentence}.`));
}

/** Every rule of the policy, term by term: the admin's view of the catalog. */
export function policyTerms(policy: RolePolicy): PolicyTerm[] {
  return [
    { term: "Who may request", text: "Members of these groups:", groupIds: policy.eligibleGroupIds },
    { term: "Approval", text: words.approval(policy) },
    policy.approverGroupIds.length > 0
      ? { term: "Approvers", text: "Members of these groups:", groupIds: policy.approverGroupIds }
      : { term: "Approvers", text: "None" },
    { term: "Duration", text: words.duration(policy) },
    { term: "Justification", text: textRule(policy.justification, "Optional", true) },
    { term: "Ticket", text: textRule(policy.ticket, "Not asked for", true) },
    { term: "Pending timeout", text: words.pendingTimeout(policy) },
    { term: "Scheduled start", text: words.scheduledStart(policy) },
    { term: "Break-glass", text: words.breakGlass(policy) },
  ];
}
