import { describe, expect, it } from "vitest";
import {
  mayReviewRequesterHistory,
  mayView,
  requestVisibility,
  requestAffordances,
  type RequestAffordances,
  type RequestViewer,
} from "./affordances";
import { TEST_POLICY, requestState } from "./test-fixtures";
import { REQUEST_STATUSES, isTerminal, type RequestState } from "./request-state";

const now = new Date("2026-11-23T10:00:00Z");
const activeFrom = new Date("2026-11-23T09:00:00Z");
const activeUntil = new Date("2026-11-23T11:00:00Z");

const state = requestState;
const active = { status: "active", activeFrom, activeUntil } as const;

const VIEWERS = {
  requester: { id: "n01", groupIds: ["g-default"], permissions: [] },
  /** an approver who filed the request: self-approval is never allowed */
  requesterApprover: { id: "n01", groupIds: ["g-approver"], permissions: ["request.approve"] },
  approver: { id: "p01", groupIds: ["g-approver"], permissions: ["request.approve"] },
  /** group ids from the token may differ in case from the catalog's: routing ignores case */
  approverUpperCase: { id: "p01", groupIds: ["G-APPROVER"], permissions: ["request.approve"] },
  approverOfOtherGroup: { id: "p02", groupIds: ["g-other"], permissions: ["request.approve"] },
  /** in the approver group, but without the approver role (lib/auth/permissions.ts) */
  groupMemberWithoutRole: { id: "p03", groupIds: ["g-approver"], permissions: [] },
  admin: { id: "adm01", groupIds: [], permissions: ["access.administer"] },
  adminRequester: { id: "n01", groupIds: [], permissions: ["access.administer"] },
} satisfies Record<string, RequestViewer>;
type ViewerName = keyof typeof VIEWERS;

type Row = [
  description: string,
  from: Partial<RequestState>,
  viewer: ViewerName,
  expected: Partial<RequestAffordances>,
];

const ROWS: Row[] = [
  // approve / deny
  ["an approver may decide a pending request", {}, "approver", { canDecide: true, cannotDecideReason: null }],
  ["routing ignores the case of group ids", {}, "approverUpperCase", { canDecide: true }],
  [
    "the requester may not decide their own request, approver or not",
    {},
    "requesterApprover",
    { canDecide: false, cannotDecideReason: expect.stringMatching(/your own request/) },
  ],
  [
    "an approver of another group may not decide it",
    {},
    "approverOfOtherGroup",
    { canDecide: false, cannotDecideReason: "You are not in an approver group for this role." },
  ],
  [
    "an approver who approved already waits for another",
    { approvalsRequired: 2, approverIds: ["p01"] },
    "approver",
    { canDecide: false, cannotDecideReason: expect.stringMatching(/already approved/) },
  ],
  [
    "a request past its pending timeout cannot be decided",
    { pendingExpiresAt: now },
    "approver",
    { canDecide: false, cannotDecideReason: expect.stringMatching(/waited too long/) },
  ],
  [
    "an approved request is not decided again",
    { status: "approved" },
    "approver",
    { canDecide: false, cannotDecideReason: "This request is approved." },
  ],
  ["a group member without the approver role may not decide", {}, "groupMemberWithoutRole", { canDecide: false }],
  // cancel
  ["the requester may cancel a pending request", {}, "requester", { canCancel: true }],
  ["an approver may not cancel someone's request", {}, "approver", { canCancel: false }],
  ["the requester may not cancel once approved", { status: "approved" }, "requester", { canCancel: false }],
  // end early
  ["the holder may end active access early", active, "requester", { canEndEarly: true }],
  ["an admin ends access by revoking, not early", active, "admin", { canEndEarly: false, canRevoke: true }],
  ["nobody ends access that has not started", { status: "approved" }, "requester", { canEndEarly: false }],
  // extend
  [
    "the holder may extend within the total (12 h, 2 h used)",
    active,
    "requester",
    { canExtend: true, extension: { isApprovalRequired: false, maxMoreMinutes: 600 } },
  ],
  [
    "an extension that needs approval is offered as a new request",
    {
      ...active,
      policy: { ...TEST_POLICY, extension: { isAllowed: true, maxTotalMinutes: 120, isApprovalRequired: true } },
    },
    "requester",
    { canExtend: true, extension: { isApprovalRequired: true, maxMoreMinutes: 0 } },
  ],
  [
    "access that lasts the most already cannot be extended",
    {
      ...active,
      policy: { ...TEST_POLICY, extension: { isAllowed: true, maxTotalMinutes: 120, isApprovalRequired: false } },
    },
    "requester",
    { canExtend: false, extension: { isApprovalRequired: false, maxMoreMinutes: 0 } },
  ],
  [
    "a role without extensions offers none",
    {
      ...active,
      policy: { ...TEST_POLICY, extension: { isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: true } },
    },
    "requester",
    { canExtend: false, extension: null },
  ],
  [
    "access past its end is not extended",
    { ...active, activeUntil: now },
    "requester",
    { canExtend: false, extension: null },
  ],
  ["only the holder extends", active, "approver", { canExtend: false, extension: null }],
  // revoke
  ["an admin may revoke active access", active, "admin", { canRevoke: true }],
  ["an admin may revoke approved access before it starts", { status: "approved" }, "admin", { canRevoke: true }],
  ["an admin may revoke scheduled access", { status: "scheduled" }, "admin", { canRevoke: true }],
  ["a pending request is denied, not revoked", {}, "admin", { canRevoke: false }],
  ["the holder may not revoke", active, "requester", { canRevoke: false }],
  // retry
  ["an admin may retry a failed activation", { status: "failed" }, "admin", { canRetry: true }],
  [
    "an admin may not retry their own request's activation",
    { status: "failed" },
    "adminRequester",
    { canRetry: false },
  ],
  ["only failed activations are retried", active, "admin", { canRetry: false }],
  ["only admins retry", { status: "failed" }, "approver", { canRetry: false }],
];

describe("requestAffordances", () => {
  it.each(ROWS)("%s", (_description, from, viewer, expected) => {
    expect(requestAffordances(state(from), VIEWERS[viewer], now)).toMatchObject(expected);
  });

  const NOTHING = {
    canDecide: false,
    canCancel: false,
    canEndEarly: false,
    canExtend: false,
    extension: null,
    canRevoke: false,
  };
  it.each(REQUEST_STATUSES.filter(isTerminal))("offers nobody anything once %s (but a retry of failed)", (status) => {
    for (const viewer of Object.values(VIEWERS)) {
      const may = requestAffordances(state({ status, activeFrom, activeUntil }), viewer, now);
      expect(may).toMatchObject(NOTHING);
      expect(may.canRetry).toBe(status === "failed" && viewer === VIEWERS.admin);
    }
  });
});

describe("mayReviewRequesterHistory", () => {
  it.each<[ViewerName, boolean]>([
    ["approver", true],
    ["approverOfOtherGroup", true],
    ["requesterApprover", false],
    ["requester", false],
    ["admin", false],
  ])("%s: %s", (viewer, expected) => {
    expect(mayReviewRequesterHistory(VIEWERS[viewer], "n01")).toBe(expected);
  });
});

describe("mayView", () => {
  const routedTo = (approverGroupIds: string[]) => ({ requesterId: "n01", policy: { approverGroupIds } });
  const auditor: RequestViewer = { id: "aud01", groupIds: [], permissions: ["audit.read"] };
  it.each<[string, RequestViewer, string[], boolean]>([
    ["its requester", VIEWERS.requester, ["g-approver"], true],
    ["an approver it is routed to", VIEWERS.approver, ["g-approver"], true],
    ["an approver it is routed to, whatever the case of the group id", VIEWERS.approverUpperCase, ["g-approver"], true],
    ["not an approver of another group", VIEWERS.approverOfOtherGroup, ["g-approver"], false],
    ["not a member of the group without the approver role", VIEWERS.groupMemberWithoutRole, ["g-approver"], false],
    ["an auditor, every request", auditor, ["g-approver"], true],
    ["not someone who may only administer access", VIEWERS.admin, ["g-approver"], false],
  ])("shows a request to %s", (_who, viewer, groups, expected) => {
    expect(mayView(viewer, routedTo(groups))).toBe(expected);
  });

  it("lets a list query express the same rule", () => {
    expect(requestVisibility({ id: "aud01", groupIds: ["g-x"], permissions: ["audit.read"] })).toEqual({
      scope: "all",
    });
    expect(requestVisibility(VIEWERS.approverUpperCase)).toEqual({
      scope: "own-and-routed",
      requesterId: "p01",
      approverGroupIds: ["g-approver"],
    });
    expect(requestVisibility(VIEWERS.groupMemberWithoutRole)).toMatchObject({ approverGroupIds: [] });
  });
});
