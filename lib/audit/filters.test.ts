import { describe, expect, it } from "vitest";
import { isSystemEvent, ZAuditSearch } from "./filters";

describe("isSystemEvent: what the Audit page hides unless asked", () => {
  it.each([
    // the machinery's bookkeeping, with nobody behind it
    ["provider.call", null, true],
    ["access.removal_deferred", null, true],
    ["audit.verified", null, true],
    // what happened to someone's access stays in view, even when a timer or a job did it
    ["request.activated", null, false],
    ["request.expired", null, false],
    ["request.activation_failed", null, false],
    ["drift.detected", null, false],
    ["audit.retained", null, false],
    // anything a person did
    ["provider.call", "admin@contoso.com", false],
    ["audit.verified", "auditor@contoso.com", false],
    ["session.signed_in", "n01@contoso.com", false],
  ] as const)("%s by %s → %s", (type, actorUpn, expected) => {
    expect(isSystemEvent({ type, actorUpn })).toBe(expected);
  });
});

describe("the involving and system filters", () => {
  it("take a UPN and include or exclude", () => {
    const parsed = ZAuditSearch.parse({ involving: " n01@contoso.com ", system: "exclude" });
    expect(parsed).toMatchObject({ involving: "n01@contoso.com", system: "exclude" });
  });
  it("refuse anything else for system, saying what to give", () => {
    const parsed = ZAuditSearch.safeParse({ system: "hide" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('Give system as "include" or "exclude".');
  });
});

describe("the activity filters (request_activities, issue 19)", () => {
  it.each([
    [undefined, undefined],
    ["", []],
    ["after-end", ["after-end"]],
    [
      ["secret-reads", "after-end"],
      ["secret-reads", "after-end"],
    ],
    [["denied", ""], ["denied"]],
  ] as const)("read %j as %j", (activity, expected) => {
    const parsed = ZAuditSearch.parse(activity === undefined ? {} : { activity });
    expect(parsed.activity).toEqual(expected);
  });
  it("refuse anything else, naming what to give", () => {
    const parsed = ZAuditSearch.safeParse({ activity: ["after-end", "secrets"] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["activity", 1]);
    expect(parsed.error?.issues[0]?.message).toBe("Give activity as secret-reads, after-end, denied (it may repeat).");
  });
  it("leave the event type filter as it was: a list, empty when absent", () => {
    expect(ZAuditSearch.parse({}).type).toEqual([]);
    expect(ZAuditSearch.parse({ type: "request.created" }).type).toEqual(["request.created"]);
  });
});
