import { describe, expect, it } from "vitest";
import {
  REQUEST_STATUSES,
  decide,
  isHandedToActivation,
  isTerminal,
  openRequest,
  type RequestCommand,
  type RequestState,
  type RequestStatus,
} from "./request-state";
import { TEST_POLICY, requestState } from "./test-fixtures";

const now = new Date("2026-11-23T10:00:00Z");
const later = new Date("2026-11-23T12:00:00Z");

const state = requestState;

type Row = [
  description: string,
  from: Partial<RequestState>,
  command: RequestCommand,
  to: RequestStatus,
  event: string,
];

const ALLOWED: Row[] = [
  [
    "one approval completes a 1-approval request",
    {},
    { type: "approve", actorId: "p01" },
    "approved",
    "request.approved",
  ],
  [
    "the first of two approvals is recorded",
    { approvalsRequired: 2 },
    { type: "approve", actorId: "p01" },
    "pending",
    "request.approval_added",
  ],
  [
    "a second distinct approver completes quorum",
    { approvalsRequired: 2, approverIds: ["p01"] },
    { type: "approve", actorId: "n02" },
    "approved",
    "request.approved",
  ],
  [
    "an approver denies with a comment",
    {},
    { type: "deny", actorId: "p01", comment: "not during the freeze" },
    "denied",
    "request.denied",
  ],
  ["the requester cancels while pending", {}, { type: "cancel", actorId: "n01" }, "cancelled", "request.cancelled"],
  [
    "a pending request past its timeout times out",
    { pendingExpiresAt: now },
    { type: "time_out" },
    "timed_out",
    "request.timed_out",
  ],
  [
    "an approved request with a later start is scheduled",
    { status: "approved", startAt: later },
    { type: "schedule" },
    "scheduled",
    "request.scheduled",
  ],
  [
    "an approved request starts activating",
    { status: "approved" },
    { type: "begin_activation" },
    "activating",
    "request.activating",
  ],
  [
    "a scheduled request due now starts activating",
    { status: "scheduled", startAt: now },
    { type: "begin_activation" },
    "activating",
    "request.activating",
  ],
  ["activation succeeds", { status: "activating" }, { type: "activation_succeeded" }, "active", "request.activated"],
  [
    "activation fails",
    { status: "activating" },
    { type: "activation_failed", reason: "ARM 500" },
    "failed",
    "request.activation_failed",
  ],
  ["active access expires", { status: "active" }, { type: "expire" }, "expired", "request.expired"],
  [
    "the holder ends access early",
    { status: "active" },
    { type: "deactivate", actorId: "n01" },
    "deactivated",
    "request.deactivated",
  ],
  [
    "an admin revokes active access",
    { status: "active" },
    { type: "revoke", actorId: "adm01", reason: "incident over" },
    "revoked",
    "request.revoked",
  ],
  [
    "an admin revokes approved access before it starts",
    { status: "approved" },
    { type: "revoke", actorId: "adm01", reason: "wrong cluster" },
    "revoked",
    "request.revoked",
  ],
  [
    "an admin revokes scheduled access",
    { status: "scheduled", startAt: later },
    { type: "revoke", actorId: "adm01", reason: "no longer needed" },
    "revoked",
    "request.revoked",
  ],
  [
    "the holder extends active access",
    { status: "active", activeFrom: now, activeUntil: later },
    { type: "extend", actorId: "n01", extraMinutes: 60 },
    "active",
    "request.extended",
  ],
  [
    "an admin retries a failed activation",
    { status: "failed" },
    { type: "retry_activation", actorId: "adm01" },
    "approved",
    "request.activation_retried",
  ],
];

describe("decide: allowed transitions", () => {
  it.each(ALLOWED)("%s", (_description, from, command, to, eventType) => {
    const before = state(from);
    const decision = decide(before, command, now);
    if (!decision.isAccepted) throw new Error(`refused: ${decision.message}`);
    expect(decision.state.status).toBe(to);
    expect(decision.event).toMatchObject({ type: eventType, from: before.status, to });
  });

  it("keeps approvers in order and records the comment", () => {
    const decision = decide(
      state({ approvalsRequired: 2, approverIds: ["p01"] }),
      { type: "approve", actorId: "n02", comment: " ok " },
      now,
    );
    expect(decision).toMatchObject({
      isAccepted: true,
      state: { approverIds: ["p01", "n02"] },
      event: { data: { comment: "ok" } },
    });
  });
});

type RefusalRow = [description: string, from: Partial<RequestState>, command: RequestCommand, code: string];

const REFUSED: RefusalRow[] = [
  ["the requester approves their own request", {}, { type: "approve", actorId: "n01" }, "SELF_APPROVAL"],
  [
    "the same approver approves twice",
    { approvalsRequired: 2, approverIds: ["p01"] },
    { type: "approve", actorId: "p01" },
    "DUPLICATE_APPROVAL",
  ],
  [
    "an approval after the pending timeout",
    { pendingExpiresAt: now },
    { type: "approve", actorId: "p01" },
    "PENDING_EXPIRED",
  ],
  [
    "a decision on an approved request",
    { status: "approved" },
    { type: "approve", actorId: "n02" },
    "INVALID_TRANSITION",
  ],
  [
    "a denial of an approved request",
    { status: "approved" },
    { type: "deny", actorId: "n02", comment: "late" },
    "INVALID_TRANSITION",
  ],
  ["a denial without a comment", {}, { type: "deny", actorId: "p01", comment: "  " }, "COMMENT_REQUIRED"],
  [
    "a revocation without a reason",
    { status: "active" },
    { type: "revoke", actorId: "adm01", reason: " " },
    "COMMENT_REQUIRED",
  ],
  [
    "someone else extends the holder's access",
    { status: "active", activeFrom: now, activeUntil: later },
    { type: "extend", actorId: "p01", extraMinutes: 60 },
    "NOT_REQUESTER",
  ],
  [
    "an extension that does not move the end later",
    { status: "active", activeFrom: now, activeUntil: later },
    { type: "extend", actorId: "n01", extraMinutes: -120 },
    "INVALID_TRANSITION",
  ],
  [
    "extending access that has expired",
    { status: "expired", activeFrom: now, activeUntil: later },
    { type: "extend", actorId: "n01", extraMinutes: 60 },
    "INVALID_TRANSITION",
  ],
  [
    "retrying an activation that did not fail",
    { status: "active" },
    { type: "retry_activation", actorId: "adm01" },
    "INVALID_TRANSITION",
  ],
  [
    "the requester retries their own failed activation",
    { status: "failed" },
    { type: "retry_activation", actorId: "n01" },
    "SELF_APPROVAL",
  ],
  ["the requester denies their own request", {}, { type: "deny", actorId: "n01", comment: "oops" }, "SELF_APPROVAL"],
  [
    "a denial after the pending timeout",
    { pendingExpiresAt: now },
    { type: "deny", actorId: "p01", comment: "late" },
    "PENDING_EXPIRED",
  ],
  ["someone else cancels", {}, { type: "cancel", actorId: "p01" }, "NOT_REQUESTER"],
  ["a cancel after approval", { status: "approved" }, { type: "cancel", actorId: "n01" }, "INVALID_TRANSITION"],
  ["a time-out before the timeout", {}, { type: "time_out" }, "NOT_YET_DUE"],
  ["a time-out of a decided request", { status: "denied" }, { type: "time_out" }, "INVALID_TRANSITION"],
  ["scheduling a request that starts now", { status: "approved" }, { type: "schedule" }, "NOT_YET_DUE"],
  ["scheduling a pending request", { startAt: later }, { type: "schedule" }, "INVALID_TRANSITION"],
  [
    "activating before the scheduled start",
    { status: "scheduled", startAt: later },
    { type: "begin_activation" },
    "NOT_YET_DUE",
  ],
  ["activating a pending request", {}, { type: "begin_activation" }, "INVALID_TRANSITION"],
  [
    "success for a request not activating",
    { status: "approved" },
    { type: "activation_succeeded" },
    "INVALID_TRANSITION",
  ],
  [
    "failure for an active request",
    { status: "active" },
    { type: "activation_failed", reason: "x" },
    "INVALID_TRANSITION",
  ],
  ["expiring a request that is not active", { status: "approved" }, { type: "expire" }, "INVALID_TRANSITION"],
  ["someone else ends the access early", { status: "active" }, { type: "deactivate", actorId: "p01" }, "NOT_REQUESTER"],
  [
    "ending access that is not active",
    { status: "expired" },
    { type: "deactivate", actorId: "n01" },
    "INVALID_TRANSITION",
  ],
  ["revoking a pending request", {}, { type: "revoke", actorId: "adm01", reason: "x" }, "INVALID_TRANSITION"],
];

describe("decide: refusals", () => {
  it.each(REFUSED)("refuses %s", (_description, from, command, code) => {
    const decision = decide(state(from), command, now);
    expect(decision).toMatchObject({ isAccepted: false, code });
    if (!decision.isAccepted) expect(decision.message.length).toBeGreaterThan(10);
  });

  it.each(REQUEST_STATUSES.filter(isTerminal))("accepts nothing once %s", (status) => {
    const commands: RequestCommand[] = [
      { type: "approve", actorId: "p01" },
      { type: "deny", actorId: "p01", comment: "x" },
      { type: "cancel", actorId: "n01" },
      { type: "time_out" },
      { type: "begin_activation" },
      { type: "activation_succeeded" },
      { type: "expire" },
      { type: "deactivate", actorId: "n01" },
      { type: "revoke", actorId: "adm01", reason: "x" },
    ];
    for (const command of commands) expect(decide(state({ status }), command, now).isAccepted).toBe(false);
  });
});

describe("openRequest", () => {
  const base = { requesterId: "n01", startAt: null, now };
  const needing = (approvalsRequired: number) => ({ ...TEST_POLICY, approvalsRequired, pendingTimeoutMinutes: 60 });

  it("opens a request that needs approval as pending, with its timeout", () => {
    const { state: opened, events } = openRequest({ ...base, policy: needing(1), isBreakGlass: false });
    expect(opened).toMatchObject({ status: "pending", pendingExpiresAt: new Date("2026-11-23T11:00:00Z") });
    expect(events.map((e) => e.type)).toEqual(["request.created"]);
  });

  it("approves by policy when no approval is required (recorded as the policy, not a person)", () => {
    const { state: opened, events } = openRequest({ ...base, policy: needing(0), isBreakGlass: false });
    expect(opened.status).toBe("approved");
    expect(events.map((e) => [e.type, e.from, e.to, e.actor.kind])).toEqual([
      ["request.created", null, "pending", "user"],
      ["request.approved", "pending", "approved", "policy"],
    ]);
    expect(events[1]!.data.reason).toBe("no_approval_required");
  });

  it("approves break-glass at once and says so", () => {
    const { state: opened, events } = openRequest({ ...base, policy: needing(1), isBreakGlass: true });
    expect(opened).toMatchObject({ status: "approved", isBreakGlass: true });
    expect(events[1]!.data.reason).toBe("break_glass");
  });
});

describe("decide: the access period", () => {
  const activeFrom = new Date("2026-11-23T09:00:00Z");
  const activeUntil = new Date("2026-11-23T11:00:00Z");
  const active = { status: "active", activeFrom, activeUntil } as const;
  const withExtension = (extension: RequestState["policy"]["extension"]) => ({ ...TEST_POLICY, extension });

  it.each<[string, Partial<RequestState>, RequestCommand, Date | null]>([
    ["ending early ends it now", active, { type: "deactivate", actorId: "n01" }, now],
    ["revoking active access ends it now", active, { type: "revoke", actorId: "adm01", reason: "incident" }, now],
    [
      "revoking access that never started keeps no period",
      { status: "approved" },
      { type: "revoke", actorId: "adm01", reason: "x" },
      null,
    ],
    [
      "extending moves the end out",
      active,
      { type: "extend", actorId: "n01", extraMinutes: 30 },
      new Date("2026-11-23T11:30:00Z"),
    ],
    ["expiring keeps the end it had", active, { type: "expire" }, activeUntil],
  ])("%s", (_description, from, command, until) => {
    const decision = decide(state(from), command, now);
    if (!decision.isAccepted) throw new Error(`refused: ${decision.message}`);
    expect(decision.state.activeUntil).toEqual(until);
  });

  it("records the old and the new end of an extension", () => {
    const decision = decide(state(active), { type: "extend", actorId: "n01", extraMinutes: 30 }, now);
    expect(decision).toMatchObject({
      isAccepted: true,
      event: { data: { previousEnd: activeUntil.toISOString(), newEnd: "2026-11-23T11:30:00.000Z" } },
    });
  });

  it("clears the period of a failed activation that is retried", () => {
    const decision = decide(
      state({ status: "failed", activeFrom, activeUntil }),
      { type: "retry_activation", actorId: "adm01" },
      now,
    );
    expect(decision).toMatchObject({ isAccepted: true, state: { activeFrom: null, activeUntil: null } });
  });

  it.each<[string, Partial<RequestState>, number, string, RegExp]>([
    ["active access without a recorded period", { status: "active" }, 30, "INVALID_TRANSITION", /Only active access/],
    [
      "a role without extensions",
      { ...active, policy: withExtension({ isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: true }) },
      30,
      "EXTENSION_REFUSED",
      /cannot be extended/,
    ],
    [
      "a role whose extensions need approval",
      { ...active, policy: withExtension({ isAllowed: true, maxTotalMinutes: 720, isApprovalRequired: true }) },
      30,
      "EXTENSION_REFUSED",
      /needs approval/,
    ],
    ["beyond the role's total", active, 601, "EXTENSION_REFUSED", /extend by up to 10 h/],
    ["access past its end", { ...active, activeUntil: now }, 30, "EXTENSION_REFUSED", /already ended/],
  ])("refuses to extend %s", (_description, from, extraMinutes, code, message) => {
    const decision = decide(state(from), { type: "extend", actorId: "n01", extraMinutes }, now);
    expect(decision).toMatchObject({ isAccepted: false, code, message: expect.stringMatching(message) });
  });
});

describe("isHandedToActivation", () => {
  it.each<[string, Partial<RequestState>, RequestCommand, boolean]>([
    ["the approval that completes the quorum", {}, { type: "approve", actorId: "p01" }, true],
    [
      "an admin's retry of a failed activation",
      { status: "failed" },
      { type: "retry_activation", actorId: "adm01" },
      true,
    ],
    ["the first of two approvals", { approvalsRequired: 2 }, { type: "approve", actorId: "p01" }, false],
    ["scheduling for a later start", { status: "approved", startAt: later }, { type: "schedule" }, false],
  ])("%s: %s", (_description, from, command, expected) => {
    const decision = decide(state(from), command, now);
    if (!decision.isAccepted) throw new Error(`refused: ${decision.message}`);
    expect(isHandedToActivation(decision.event)).toBe(expected);
  });
});
