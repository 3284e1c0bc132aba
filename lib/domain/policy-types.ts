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
}
