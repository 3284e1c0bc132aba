import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  approverCoverage,
  coverageGroupIds,
  formatCoverageWarning,
  type CoverageInput,
  type CoverageRole,
  type GroupMembership,
} from "./approver-coverage";
import { DEFAULT_NOTIFY_ROUTE, parseCatalog, type NotifyRoute } from "./catalog-schema";

const ELIGIBLE = "5276251f-922a-4a74-bd64-dd49ae92e206";
const APPROVERS = "09ecf0d7-9504-4f6c-b557-71f30e9759bf";
const LEADS = "11111111-2222-4333-8444-555555555555";
const ESCALATION = "66666666-7777-4888-8999-000000000000";
const AUDITORS = "3ecc833e-183f-465d-9f69-9b4e2ad22ec5";

function role(policy: Partial<CoverageRole["policy"]> = {}, notify: NotifyRoute = DEFAULT_NOTIFY_ROUTE): CoverageRole {
  return {
    name: "admin",
    notify,
    policy: {
      eligibleGroupIds: [ELIGIBLE],
      approverGroupIds: [APPROVERS],
      approvalsRequired: 1,
      maxDurationMinutes: 480,
      defaultDurationMinutes: 60,
      justification: { isRequired: true },
      ticket: { isRequired: false },
      pendingTimeoutMinutes: 1440,
      isScheduledStartAllowed: false,
      maxStartAheadMinutes: 0,
      isBreakGlassAllowed: false,
      extension: { isAllowed: false, maxTotalMinutes: 0, isApprovalRequired: false },
      isSessionRevokedOnEnd: false,
      ...policy,
    },
  };
}

const found = (displayName: string, ...memberIds: string[]): GroupMembership => ({
  state: "found",
  displayName,
  memberIds,
});

function check(r: CoverageRole, groups?: Record<string, GroupMembership>, auditorGroupIds?: string[]) {
  const input: CoverageInput = {
    clusters: [{ name: "aks-prod", roles: [r] }],
    file: "jit.catalog.yaml",
    ...(groups && { groups: new Map(Object.entries(groups)) }),
    ...(auditorGroupIds && { auditorGroupIds }),
  };
  return approverCoverage(input);
}

const codes = (...args: Parameters<typeof check>) => check(...args).map((w) => w.code);

describe("approver coverage, live members", () => {
  const engineers = found("default", "n01", "n02");
  const auditors = found("auditors", "aud01");

  it.each<[string, CoverageRole, Record<string, GroupMembership>, string[]]>([
    [
      "an approver who is not a requester covers one approval",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01") },
      [],
    ],
    [
      "two approvers, one a requester, cover one approval (the demo tenant)",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "n02", "p01") },
      [],
    ],
    [
      "two approvers, one a requester, do not cover two: that requester has one other",
      role({ approvalsRequired: 2 }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "n02", "p01") },
      ["too-few-approvers"],
    ],
    [
      "two approvers who request nothing cover two",
      role({ approvalsRequired: 2 }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01", "p02") },
      [],
    ],
    [
      "the same person in two approver groups counts once",
      role({ approvalsRequired: 2, approverGroupIds: [APPROVERS, LEADS] }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01"), [LEADS]: found("leads", "p01") },
      ["too-few-approvers"],
    ],
    [
      "approvers who are all requesters only approve each other",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "n01", "n02") },
      ["approvers-are-requesters"],
    ],
    [
      "a lone approver who is a requester can never approve their own",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "n01") },
      ["too-few-approvers"],
    ],
    [
      "an empty approver group",
      role({ approverGroupIds: [APPROVERS, LEADS] }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01"), [LEADS]: found("leads") },
      ["approver-group-empty"],
    ],
    [
      "an approver group Graph does not know (404)",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: { state: "not-found" } },
      ["approver-group-unknown"],
    ],
    [
      "an approver group whose members cannot be read",
      role(),
      { [ELIGIBLE]: engineers, [APPROVERS]: { state: "unreadable", reason: "HTTP 403" } },
      ["approver-group-unreadable"],
    ],
    [
      "unknown requesters: the worst case, any approver may be one",
      role({ approvalsRequired: 2 }),
      { [ELIGIBLE]: { state: "unreadable", reason: "HTTP 403" }, [APPROVERS]: found("approver", "p01", "p02") },
      ["too-few-approvers"],
    ],
    [
      "self-activation needs no approver",
      role({ approvalsRequired: 0, approverGroupIds: [] }),
      { [ELIGIBLE]: engineers },
      [],
    ],
    [
      "an escalation group that does not exist",
      role({}, { channels: [{ kind: "email" }], escalation: { afterMinutes: 60, approverGroupIds: [ESCALATION] } }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01"), [ESCALATION]: { state: "not-found" } },
      ["escalation-group-unknown"],
    ],
    [
      "an empty escalation group",
      role({}, { channels: [{ kind: "email" }], escalation: { afterMinutes: 60, approverGroupIds: [ESCALATION] } }),
      { [ELIGIBLE]: engineers, [APPROVERS]: found("approver", "p01"), [ESCALATION]: found("on-call") },
      ["escalation-group-empty"],
    ],
  ])("%s", (_, r, groups, expected) => {
    expect(codes(r, groups, [])).toEqual(expected);
  });

  describe("break-glass", () => {
    const breakGlass = (notify?: NotifyRoute) =>
      role({ approvalsRequired: 0, approverGroupIds: [], isBreakGlassAllowed: true }, notify);

    it.each<[string, CoverageRole, Record<string, GroupMembership>, string[], string[]]>([
      ["heard by the auditors", breakGlass(), { [ELIGIBLE]: engineers, [AUDITORS]: auditors }, [AUDITORS], []],
      [
        "no approvers, no auditors, no channel: nobody hears it, nobody chases the review",
        breakGlass(),
        { [ELIGIBLE]: engineers },
        [],
        ["break-glass-notifies-nobody", "review-escalates-to-nobody"],
      ],
      [
        "a Teams channel hears it; the overdue review still goes to nobody",
        breakGlass({ channels: [{ kind: "teams", webhook: "ops" }] }),
        { [ELIGIBLE]: engineers },
        [],
        ["review-escalates-to-nobody"],
      ],
      [
        "the only listener is a requester: their own break-glass reaches nobody",
        breakGlass(),
        { [ELIGIBLE]: engineers, [AUDITORS]: found("auditors", "n01") },
        [AUDITORS],
        ["break-glass-notifies-nobody", "review-escalates-to-nobody"],
      ],
      [
        "an escalation group takes overdue reviews when there are no auditors",
        breakGlass({
          channels: [{ kind: "slack", webhook: "ops" }],
          escalation: { afterMinutes: 60, approverGroupIds: [ESCALATION] },
        }),
        { [ELIGIBLE]: engineers, [ESCALATION]: found("on-call", "oc1") },
        [],
        [],
      ],
    ])("%s", (_, r, groups, auditorGroupIds, expected) => {
      expect(codes(r, groups, auditorGroupIds)).toEqual(expected);
    });

    it("says who was listening and how to fix it", () => {
      const [alert, review] = check(breakGlass(), { [ELIGIBLE]: engineers, [AUDITORS]: found("auditors") }, [AUDITORS]);
      expect(alert?.problem).toBe(
        `break-glass is allowed, but its alert reaches nobody besides the person using it: no approver group, auditor group (AUDITOR_GROUP_IDS) "auditors" (${AUDITORS}) has no members, and no Teams or Slack channel.`,
      );
      expect(alert?.fix).toContain("add a teams:<name> or slack:<name> channel to notify.channels of aks-prod/admin");
      expect(review?.problem).toBe(
        `an overdue break-glass review is escalated to nobody: no escalation group, and auditor group (AUDITOR_GROUP_IDS) "auditors" (${AUDITORS}) has no members.`,
      );
      expect(review?.fix).toContain(
        "Add notify.escalation with approverGroups (people who chase reviews) to aks-prod/admin",
      );
    });

    it("says nothing of listeners while the auditors are not known", () => {
      expect(codes(breakGlass(), { [ELIGIBLE]: engineers })).toEqual([]);
    });
  });

  it("names the role, the group and the fix in words", () => {
    const [warning] = check(role({ approvalsRequired: 2 }), {
      [ELIGIBLE]: engineers,
      [APPROVERS]: found("approver", "n02", "p01"),
    });
    expect(warning).toMatchObject({ cluster: "aks-prod", role: "admin", groupIds: [APPROVERS] });
    expect(formatCoverageWarning(warning!)).toBe(
      `aks-prod/admin: needs 2 approvals, but its approver group "approver" (${APPROVERS}) has 2 distinct people, 1 of whom may request it too: ` +
        "a request from one of them can get at most 1 (nobody approves their own), so it would wait until it times out.\n" +
        `    Fix: Add at least 1 more person who does not request this role to the approver group "approver" (${APPROVERS}), or another group to approverGroups of aks-prod/admin in jit.catalog.yaml, or lower approvalsRequired to 1.`,
    );
  });

  it("explains what approvers who are all requesters means", () => {
    const [warning] = check(role({ approvalsRequired: 2 }), {
      [ELIGIBLE]: found("default", "n01", "n02", "n03"),
      [APPROVERS]: found("approver", "n01", "n02", "n03"),
    });
    expect(warning?.code).toBe("approvers-are-requesters");
    expect(warning?.problem).toContain("they can only approve each other's");
    expect(warning?.problem).toContain("each request needs 2 of the others");
    expect(warning?.fix).toContain("Add a group of people who do not request aks-prod/admin");
  });
});

describe("approver coverage and the app's approver role (APPROVER_GROUP_IDS)", () => {
  const ROLE_GROUP = "77777777-8888-4999-8aaa-bbbbbbbbbbbb";
  const groups = (...withRole: string[]) =>
    new Map<string, GroupMembership>([
      [ELIGIBLE, found("default", "n01", "n02")],
      [APPROVERS, found("approver", "p01", "p02")],
      [ROLE_GROUP, found("jit-approvers", ...withRole)],
    ]);
  const coverage = (withRole: string[]) =>
    approverCoverage({
      clusters: [{ name: "aks-prod", roles: [role({ approvalsRequired: 2 })] }],
      file: "jit.catalog.yaml",
      groups: groups(...withRole),
      approverRoleGroupIds: [ROLE_GROUP],
    });

  it("counts only the approvers who hold the role: the others cannot approve at all", () => {
    const [warning, ...rest] = coverage(["p01"]);
    expect(rest).toEqual([]);
    expect(warning?.code).toBe("too-few-approvers");
    expect(warning?.problem).toBe(
      `needs 2 approvals, but its approver group "approver" (${APPROVERS}) has 2 distinct people; 1 of them is in no APPROVER_GROUP_IDS group, ` +
        "and AKS JIT lets only those groups' members approve: a request can get at most 1 (nobody approves their own), so it would wait until it times out.",
    );
    expect(warning?.fix).toMatch(
      /^Put the approvers who are in no APPROVER_GROUP_IDS group in one that it names, or add at least 1 more person/,
    );
  });

  it("is covered when every approver holds the role", () => {
    expect(coverage(["p01", "p02", "someone-else"])).toEqual([]);
  });

  it("reads the role's groups too", () => {
    expect(
      coverageGroupIds({ clusters: [{ name: "c", roles: [role()] }], approverRoleGroupIds: [ROLE_GROUP] }).sort(),
    ).toEqual([APPROVERS, ELIGIBLE, ROLE_GROUP].sort());
  });
});

describe("approver coverage, the catalog alone", () => {
  it("warns when every approver group is also an eligible group", () => {
    expect(codes(role({ approverGroupIds: [ELIGIBLE] }))).toEqual(["approvers-are-requesters"]);
    expect(check(role({ approverGroupIds: [ELIGIBLE] }))[0]?.problem).toContain(
      `every member of its approver group ${ELIGIBLE} is also in its eligibleGroups`,
    );
  });

  it("says nothing it cannot know without members", () => {
    expect(codes(role({ approvalsRequired: 5 }))).toEqual([]);
    expect(codes(role({ approverGroupIds: [ELIGIBLE, APPROVERS] }))).toEqual([]);
  });
});

describe("the demo catalog", () => {
  const text = readFileSync(path.resolve(import.meta.dirname, "../../jit.catalog.yaml"), "utf8");
  const catalog = parseCatalog(text, "jit.catalog.yaml");

  it("reads its approver, eligible and escalation groups and the auditors, each once", () => {
    expect(coverageGroupIds({ clusters: catalog.clusters, auditorGroupIds: [AUDITORS.toUpperCase()] }).sort()).toEqual(
      [APPROVERS, ELIGIBLE, AUDITORS].sort(),
    );
  });

  it("is covered by the demo tenant's members", () => {
    const groups = new Map<string, GroupMembership>([
      [ELIGIBLE, found("default", "n01", "n02")],
      [APPROVERS, found("approver", "n02", "p01")],
      [AUDITORS, found("auditors", "aud01")],
    ]);
    expect(
      approverCoverage({
        clusters: catalog.clusters,
        file: catalog.file,
        groups,
        auditorGroupIds: [AUDITORS],
        approverRoleGroupIds: [APPROVERS],
      }),
    ).toEqual([]);
    expect(approverCoverage({ clusters: catalog.clusters, file: catalog.file })).toEqual([]);
  });
});
