import { describe, expect, it } from "vitest";
import type { NotifyRoute } from "@/lib/config/catalog-schema";
import type { NotificationKind } from "./messages";
import { dueFollowUps, pickRecipients, planDeliveries, type DirectoryPerson } from "./recipients";

let nextId = 0;
const person = (name: string, overrides: Partial<DirectoryPerson> = {}): DirectoryPerson => ({
  objectId: `0000000a-0000-4000-8000-${String((nextId += 1)).padStart(12, "0")}`,
  userPrincipalName: `${name}@contoso.com`,
  displayName: name,
  address: `${name}@contoso.com`,
  isEnabled: true,
  ...overrides,
});
const n01 = person("n01");
const n02 = person("n02");
const p01 = person("p01");
const aud01 = person("aud01");
const adm01 = person("adm01");
const gone = person("x99", { isEnabled: false });

const upns = (kind: NotificationKind, input: Partial<Parameters<typeof pickRecipients>[0]> = {}) =>
  pickRecipients({
    kind,
    requesterObjectId: n01.objectId,
    candidates: { requester: [n01], approvers: [n01, n02, p01, gone], auditors: [aud01, p01], admins: [adm01] },
    ...input,
  }).map((r) => `${r.person.userPrincipalName.split("@")[0]}:${r.audience}`);

describe("who is told", () => {
  it.each<[string, NotificationKind, Partial<Parameters<typeof pickRecipients>[0]>, string[]]>([
    [
      "a new request: the approvers, never the requester nor a disabled account",
      "request_filed",
      {},
      ["n02:approver", "p01:approver"],
    ],
    [
      "break-glass: every approver and auditor, each once",
      "break_glass",
      {},
      ["n02:approver", "p01:approver", "aud01:auditor"],
    ],
    [
      "a decision: the requester and the other approvers, not the decider",
      "request_decided",
      { actorObjectId: p01.objectId },
      ["n01:requester", "n02:approver"],
    ],
    ["a failed activation: the requester and the admins", "activation_failed", {}, ["n01:requester", "adm01:admin"]],
    ["access ending soon: the requester alone", "access_ending_soon", {}, ["n01:requester"]],
    [
      "a reminder: approvers who have not decided yet",
      "pending_reminder",
      { decidedObjectIds: [p01.objectId] },
      ["n02:approver"],
    ],
    [
      "an escalation: the escalation group, without the requester",
      "pending_escalation",
      { candidates: { escalation: [n01, adm01, gone] } },
      ["adm01:approver"],
    ],
  ])("%s", (_case, kind, input, expected) => {
    expect(upns(kind, input)).toEqual(expected);
  });

  it("tells a disabled requester nothing", () => {
    expect(upns("access_ending_soon", { candidates: { requester: [{ ...n01, isEnabled: false }] } })).toEqual([]);
  });

  it("compares object ids without regard to case", () => {
    expect(upns("request_filed", { requesterObjectId: n02.objectId.toUpperCase() })).toEqual([
      "n01:approver",
      "p01:approver",
    ]);
  });
});

describe("what is delivered", () => {
  const route: NotifyRoute = {
    channels: [{ kind: "email" }, { kind: "teams", webhook: "platform" }, { kind: "slack", webhook: "oncall" }],
  };
  const recipients = [
    { person: p01, audience: "approver" as const },
    { person: { ...n02, address: null }, audience: "approver" as const },
  ];

  it("mails each recipient with an address, and posts once per webhook", () => {
    const deliveries = planDeliveries({ kind: "request_filed", route, recipients, isEmailConfigured: true });
    expect(
      deliveries.map((d) =>
        d.channel === "email" ? `email:${d.recipient.person.userPrincipalName}` : `${d.channel}:${d.webhook}`,
      ),
    ).toEqual(["email:p01@contoso.com", "teams:platform", "slack:oncall"]);
  });

  it("keeps personal events out of team channels, and sends no mail without a sender mailbox", () => {
    expect(planDeliveries({ kind: "access_ending_soon", route, recipients, isEmailConfigured: false })).toEqual([]);
    for (const kind of ["access_active", "access_ended", "activation_failed"] as const)
      expect(planDeliveries({ kind, route, recipients, isEmailConfigured: false })).toEqual([]);
  });

  it.each([
    ["access_active", []],
    ["request_filed", ["teams:platform", "slack:oncall"]],
    ["approval_closed", ["teams:platform", "slack:oncall"]],
    ["access_revoked", ["email:p01@contoso.com (despite opt-out)", "teams:platform", "slack:oncall"]],
    ["break_glass", ["email:p01@contoso.com (despite opt-out)", "teams:platform", "slack:oncall"]],
  ] as Array<[NotificationKind, string[]]>)(
    "honours a person's mail opt-out for %s, except for urgent news",
    (kind, expected) => {
      const deliveries = planDeliveries({
        kind,
        route,
        recipients,
        isEmailConfigured: true,
        mailOptedOut: new Set([p01.objectId.toLowerCase()]),
      });
      expect(
        deliveries.map((d) =>
          d.channel === "email"
            ? `email:${d.recipient.person.userPrincipalName}${d.isDespiteOptOut ? " (despite opt-out)" : ""}`
            : `${d.channel}:${d.webhook}`,
        ),
      ).toEqual(expected);
    },
  );
});

describe("closing the loop", () => {
  it("tells the holder alone of their access starting, ending and being revoked", () => {
    for (const kind of ["access_active", "access_ended", "access_revoked"] as const)
      expect(upns(kind, { candidates: { requester: [n01], approvers: [p01] } })).toEqual(["n01:requester"]);
  });

  it("tells the people asked that a request closed, except those who decided it", () => {
    expect(
      upns("approval_closed", { decidedObjectIds: [p01.objectId], candidates: { asked: [p01, adm01, n01] } }),
    ).toEqual(["adm01:approver"]);
  });
});

describe("reminders and escalation", () => {
  const filedAt = new Date("2026-11-23T10:00:00Z");
  const at = (minutes: number) => new Date(filedAt.getTime() + minutes * 60_000);
  const route: NotifyRoute = {
    channels: [{ kind: "email" }],
    remindAfterMinutes: 30,
    escalation: { afterMinutes: 60, approverGroupIds: ["g"] },
  };

  it.each([
    [29, []],
    [30, ["pending_reminder"]],
    [60, ["pending_reminder", "pending_escalation"]],
  ])("after %i minutes: %j", (minutes, expected) => {
    expect(dueFollowUps(filedAt, route, at(minutes))).toEqual(expected);
  });

  it("follows nothing up when the route asks for nothing", () => {
    expect(dueFollowUps(filedAt, { channels: [{ kind: "email" }] }, at(10_000))).toEqual([]);
  });
});
