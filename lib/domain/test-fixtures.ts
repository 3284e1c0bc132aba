/** Fixtures for the domain's unit tests. */
import type { RolePolicy } from "./policy-types";
import type { RequestState } from "./request-state";

/** One approval from g-approver, extensions up to 12 h in all, break-glass allowed. */
export const TEST_POLICY: RolePolicy = {
  eligibleGroupIds: ["g-default"],
  approverGroupIds: ["g-approver"],
  approvalsRequired: 1,
  maxDurationMinutes: 480,
  defaultDurationMinutes: 60,
  justification: { isRequired: true },
  ticket: { isRequired: false },
  pendingTimeoutMinutes: 60,
  isScheduledStartAllowed: true,
  maxStartAheadMinutes: 10080,
  isBreakGlassAllowed: true,
  extension: { isAllowed: true, maxTotalMinutes: 720, isApprovalRequired: false },
  isSessionRevokedOnEnd: false,
};

/** n01's request, pending for a day, under TEST_POLICY; `overrides` set the case at hand. */
export function requestState(overrides: Partial<RequestState> = {}): RequestState {
  return {
    status: "pending",
    requesterId: "n01",
    approvalsRequired: 1,
    approverIds: [],
    startAt: null,
    pendingExpiresAt: new Date("2026-11-24T10:00:00Z"),
    isBreakGlass: false,
    policy: TEST_POLICY,
    activeFrom: null,
    activeUntil: null,
    ...overrides,
  };
}
