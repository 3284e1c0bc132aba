import { describe, expect, it } from "vitest";
import { describeTotalDuration, failureNextStep, hasGrantedAccess } from "./request-facts";

describe("describeTotalDuration", () => {
  it.each([
    [60, [], "1 h"],
    [60, [60], "2 h (extended from 1 h)"],
    [60, [30, 30, 60], "3 h (extended from 1 h)"],
    [90, [0], "1 h 30 min"],
  ])("%i min requested, extended by %j: %s", (requested, extensions, expected) => {
    expect(describeTotalDuration(requested, extensions)).toBe(expected);
  });
});

describe("hasGrantedAccess", () => {
  it.each([
    ["active", "2026-12-05T10:00:00Z", true],
    ["expired", "2026-12-05T10:00:00Z", true],
    ["failed", "2026-12-05T10:00:00Z", false],
    ["approved", null, false],
  ] as const)("%s from %s: %s", (status, from, expected) => {
    expect(hasGrantedAccess(status, from)).toBe(expected);
  });
});

describe("failureNextStep", () => {
  it("tells the admin to retry, the requester to try again or contact, anyone else who can", () => {
    expect(failureNextStep({ isRequester: false, canRetry: true })).toMatch(/^Retry the activation/);
    expect(failureNextStep({ isRequester: true, canRetry: false })).toMatch(/file the request again.*contact/);
    expect(failureNextStep({ isRequester: false, canRetry: false })).toMatch(/platform admin can retry/);
  });
});
