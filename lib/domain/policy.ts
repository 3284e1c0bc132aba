/**
 * Policy evaluation: may this person ask for this role like this, and may that person decide it?
 * Pure: group memberships and `now` come in as arguments. Every refusal says what to fix.
 */
import { addMinutes, describeDuration } from "./duration";
import type { ExtensionRule, RolePolicy, TextRule } from "./policy-types";

export interface RequestDraft {
  durationMinutes: number;
  justification: string;
  ticket?: string;
  /** null: start as soon as approved */
  startAt: Date | null;
  isBreakGlass: boolean;
}

export type PolicyField = "eligibility" | "duration" | "justification" | "ticket" | "startAt" | "breakGlass";

export interface PolicyViolation {
  field: PolicyField;
  message: string;
}

const isMember = (groupIds: readonly string[], allowed: readonly string[]) => {
  const mine = new Set(groupIds.map((g) => g.toLowerCase()));
  return allowed.some((g) => mine.has(g.toLowerCase()));
};

export const isEligible = (policy: RolePolicy, groupIds: readonly string[]) =>
  isMember(groupIds, policy.eligibleGroupIds);

const matches = (pattern: string, text: string) => new RegExp(`^(?:${pattern})$`).test(text);

/** A sentence ends with its own stop, so that a catalog's message reads the same with or without one. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * A ticket as it is checked and stored: trimmed and upper-cased (`inc12345` is `INC12345`), since
 * ticket references are upper case and people type them in whatever case; kept as typed only where
 * the role's pattern accepts it so and refuses it upper-cased. Empty: no ticket.
 */
export function normalizeTicket(rule: TextRule, ticket: string | undefined): string | undefined {
  const text = ticket?.trim() ?? "";
  if (!text) return undefined;
  const upper = text.toUpperCase();
  if (rule.pattern && !matches(rule.pattern, upper) && matches(rule.pattern, text)) return text;
  return upper;
}

/** The draft as the policy reads it and the request stores it: the ticket normalized, the text trimmed. */
export function normalizeDraft(draft: RequestDraft, policy: RolePolicy): RequestDraft {
  return { ...draft, justification: draft.justification.trim(), ticket: normalizeTicket(policy.ticket, draft.ticket) };
}

/**
 * Break-glass is for emergencies, when the ticket may not exist yet: the request then owes its ticket,
 * which the review afterwards asks for. Nothing is owed where the role asks for no ticket.
 */
export const isTicketOwed = (policy: RolePolicy, request: { isBreakGlass: boolean; ticket?: string | null }) =>
  request.isBreakGlass && policy.ticket.isRequired && !request.ticket;

function checkText(
  field: "justification" | "ticket",
  label: string,
  rule: TextRule,
  value: string | undefined,
  isMissingAllowed = false,
) {
  const text = value?.trim() ?? "";
  if (!text)
    return rule.isRequired && !isMissingAllowed ? [{ field, message: `${label} is required for this role.` }] : [];
  if (rule.pattern && !matches(rule.pattern, text)) {
    // The catalog's message says what fits in words; the pattern itself is for the catalog's authors.
    const what = rule.message ? sentence(rule.message) : "Ask a platform admin what this role accepts.";
    return [{ field, message: `${label} "${text}" does not fit this role's format. ${what}` }];
  }
  return [];
}

/** What is wrong with a ticket under the role's rule (missing, or not its format), or null. */
export const ticketProblem = (rule: TextRule, ticket: string | undefined): string | null =>
  checkText("ticket", "Ticket", rule, ticket)[0]?.message ?? null;

/** Everything wrong with a draft request under `policy`, in form order; empty when it may be filed. */
export function checkRequest(input: {
  draft: RequestDraft;
  policy: RolePolicy;
  requesterGroupIds: readonly string[];
  now: Date;
}): PolicyViolation[] {
  const { policy, now } = input;
  const draft = normalizeDraft(input.draft, policy);
  const violations: PolicyViolation[] = [];
  if (!isEligible(policy, input.requesterGroupIds)) {
    violations.push({
      field: "eligibility",
      message: "You are not in a group that may request this role. Ask a platform admin which group grants it.",
    });
  }
  if (!Number.isInteger(draft.durationMinutes) || draft.durationMinutes <= 0) {
    violations.push({ field: "duration", message: "Choose a duration of at least one minute." });
  } else if (draft.durationMinutes > policy.maxDurationMinutes) {
    violations.push({
      field: "duration",
      message: `${describeDuration(draft.durationMinutes)} is longer than this role allows (at most ${describeDuration(policy.maxDurationMinutes)}).`,
    });
  }
  violations.push(...checkText("justification", "A justification", policy.justification, draft.justification));
  // Break-glass may file its ticket later ("ticket later"): see isTicketOwed.
  violations.push(
    ...checkText("ticket", "A ticket", policy.ticket, draft.ticket, draft.isBreakGlass && policy.isBreakGlassAllowed),
  );
  if (draft.startAt) {
    if (!policy.isScheduledStartAllowed) {
      violations.push({
        field: "startAt",
        message: "This role can only start as soon as it is approved: choose “now”.",
      });
    } else if (draft.startAt < now) {
      violations.push({ field: "startAt", message: "The start time is in the past: choose a time from now on." });
    } else if (draft.startAt > addMinutes(now, policy.maxStartAheadMinutes)) {
      violations.push({
        field: "startAt",
        message: `Start at most ${describeDuration(policy.maxStartAheadMinutes)} ahead.`,
      });
    }
  }
  if (draft.isBreakGlass && !policy.isBreakGlassAllowed) {
    violations.push({ field: "breakGlass", message: "Break-glass is not allowed for this role: request it normally." });
  }
  // Break-glass skips the approvers, so its reason is the only account of it, whatever the role's rule.
  if (draft.isBreakGlass && !draft.justification) {
    violations.push({
      field: "justification",
      message: "Break-glass needs a reason: say what is broken and why it cannot wait.",
    });
  }
  return violations;
}

export type DeciderRefusal = "self" | "not_approver";

/**
 * May `actor` decide a request? Self-approval is never allowed, whatever groups they are in.
 * `actorGroupIds` should be live membership (Graph), not what the session saw at sign-in.
 */
export function checkDecider(input: {
  policy: RolePolicy;
  requesterId: string;
  actorId: string;
  actorGroupIds: readonly string[];
}): { isAllowed: true } | { isAllowed: false; reason: DeciderRefusal; message: string } {
  if (input.actorId === input.requesterId) {
    return {
      isAllowed: false,
      reason: "self",
      message: "This is your own request: someone else in an approver group has to decide it.",
    };
  }
  if (!isMember(input.actorGroupIds, input.policy.approverGroupIds)) {
    return { isAllowed: false, reason: "not_approver", message: "You are not in an approver group for this role." };
  }
  return { isAllowed: true };
}

export type ExtensionCheck = { isAllowed: true; until: Date } | { isAllowed: false; message: string };

/** Whole minutes the access period may still grow by under `rule` (0 when it already lasts the most). */
export function extensionRoom(rule: ExtensionRule, activeFrom: Date, activeUntil: Date): number {
  const usedMinutes = (activeUntil.getTime() - activeFrom.getTime()) / 60_000;
  return Math.max(0, Math.floor(rule.maxTotalMinutes - usedMinutes));
}

/**
 * May the holder push the end of their active access out by `extraMinutes`, and to when? The total,
 * counted from the access's start, stays within the role's extension limit.
 */
export function checkExtension(input: {
  policy: Pick<RolePolicy, "extension">;
  activeFrom: Date;
  activeUntil: Date;
  extraMinutes: number;
  now: Date;
}): ExtensionCheck {
  const rule = input.policy.extension;
  const refuse = (message: string): ExtensionCheck => ({ isAllowed: false, message });
  if (!rule.isAllowed) return refuse("This role's access cannot be extended; request it again when you need more.");
  if (rule.isApprovalRequired) {
    return refuse(
      "Extending this role needs approval: file a new request for it; once approved it joins your current access.",
    );
  }
  if (!Number.isInteger(input.extraMinutes) || input.extraMinutes <= 0) {
    return refuse("Choose an extension of at least one minute.");
  }
  if (input.activeUntil <= input.now) return refuse("This access has already ended.");
  const until = addMinutes(input.activeUntil, input.extraMinutes);
  const totalMinutes = (until.getTime() - input.activeFrom.getTime()) / 60_000;
  if (totalMinutes > rule.maxTotalMinutes) {
    const room = extensionRoom(rule, input.activeFrom, input.activeUntil);
    return refuse(
      room > 0
        ? `This role's access may last at most ${describeDuration(rule.maxTotalMinutes)} in all; you can extend by up to ${describeDuration(room)}.`
        : `This access already lasts the most this role allows (${describeDuration(rule.maxTotalMinutes)}).`,
    );
  }
  return { isAllowed: true, until };
}
