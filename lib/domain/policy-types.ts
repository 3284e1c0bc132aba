/**
 * A role's policy as the domain sees it: loaded from the access catalog (lib/config/catalog.ts),
 * evaluated by lib/domain/policy.ts. Durations are whole minutes.
 */
export interface TextRule {
  isRequired: boolean;
  /** a regular expression the whole value must match, when given */
  pattern?: string;
  /** what to tell the requester when the pattern does not match */
  message?: string;
}

export interface RolePolicy {
  /** Entra group object ids whose members may request this role */
  eligibleGroupIds: string[];
  /** Entra group object ids whose members may approve it */
  approverGroupIds: string[];
  /** 0: activated by policy without a person (self-activation); N: N distinct approvers */
  approvalsRequired: number;
  maxDurationMinutes: number;
  defaultDurationMinutes: number;
  justification: TextRule;
  ticket: TextRule;
  /** a pending request times out after this long without enough approvals */
  pendingTimeoutMinutes: number;
  isScheduledStartAllowed: boolean;
  /** how far ahead a scheduled start may be, when allowed */
  maxStartAheadMinutes: number;
  isBreakGlassAllowed: boolean;
  /** whether the holder may push the end of active access out, and how far */
  extension: ExtensionRule;
  /** ending access early or revoking it also revokes the holder's Entra sign-in sessions */
  isSessionRevokedOnEnd: boolean;
  /** when set, approving and break-glass need a fresh sign-in (and an authentication context, if named) */
  stepUp?: StepUpRule;
}

export interface StepUpRule {
  /** the newest sign-in (`auth_time`) may be at most this old when deciding */
  maxAgeMinutes: number;
  /** a Conditional Access authentication context id (`acrs` claim), e.g. "c1" */
  authenticationContext?: string;
}

export interface ExtensionRule {
  isAllowed: boolean;
  /** the longest a request's access may last, counted from its start, with every extension */
  maxTotalMinutes: number;
  /** true: extending is a new request that approvers decide (it joins the current grant when approved) */
  isApprovalRequired: boolean;
}

/** Requests filed before a policy field existed carry no value for it: these are the safe readings. */
export function extensionRuleOf(policy: Partial<Pick<RolePolicy, "extension">>): ExtensionRule {
  return policy.extension ?? { isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: true };
}
