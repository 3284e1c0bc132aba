import { describe, expect, it } from "vitest";
import { authenticationContextClaims, checkStepUpClaims } from "./step-up-rule";

const now = new Date("2026-11-23T12:00:00Z");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const minutesAgo = (minutes: number) => seconds(now) - minutes * 60;
const viewer = { entraObjectId: "5f0d1c8e-2f8b-4c8e-9a51-3c5e2d7b9a10", displayName: "Priya Raman" };
const rule = { maxAgeMinutes: 10, authenticationContext: "c1" };
const fresh = { oid: viewer.entraObjectId, auth_time: minutesAgo(2), acrs: ["c1"], amr: ["pwd", "mfa"], uti: "u-1" };

describe("checkStepUpClaims", () => {
  it("accepts a sign-in within the limit that carries the context, and returns what to record", () => {
    expect(checkStepUpClaims(fresh, viewer, rule, now)).toEqual({
      isSatisfied: true,
      facts: {
        authTime: new Date((seconds(now) - 120) * 1000).toISOString(),
        acrs: ["c1"],
        amr: ["pwd", "mfa"],
        tokenId: "u-1",
      },
    });
  });

  it.each([
    ["another person's sign-in", { ...fresh, oid: "0a0a0a0a-0000-4000-8000-000000000000" }, rule, "wrong_user"],
    ["no auth_time", { ...fresh, auth_time: undefined }, rule, "no_auth_time"],
    ["an auth_time far in the future", { ...fresh, auth_time: seconds(now) + 3600 }, rule, "no_auth_time"],
    ["a sign-in 42 minutes ago", { ...fresh, auth_time: minutesAgo(42) }, rule, "too_old"],
    ["a sign-in 10 minutes and 1 second ago", { ...fresh, auth_time: minutesAgo(10) - 1 }, rule, "too_old"],
    ["no acrs claim", { ...fresh, acrs: undefined }, rule, "missing_context"],
    ["another context only", { ...fresh, acrs: ["c2"] }, rule, "missing_context"],
  ])("refuses %s", (_name, claims, stepUp, reason) => {
    expect(checkStepUpClaims(claims, viewer, stepUp, now)).toMatchObject({ isSatisfied: false, reason });
  });

  it.each([
    ["exactly at the limit", { ...fresh, auth_time: minutesAgo(10) }, rule],
    ["within a minute of clock skew ahead", { ...fresh, auth_time: seconds(now) + 30 }, rule],
    ["without acrs when the rule names no context", { ...fresh, acrs: undefined }, { maxAgeMinutes: 10 }],
    ["an upper-case oid", { ...fresh, oid: viewer.entraObjectId.toUpperCase() }, rule],
  ])("accepts %s", (_name, claims, stepUp) => {
    expect(checkStepUpClaims(claims, viewer, stepUp, now).isSatisfied).toBe(true);
  });

  it("says what to do, with the sign-in's age and the role's limit", () => {
    const check = checkStepUpClaims({ ...fresh, auth_time: minutesAgo(42) }, viewer, rule, now);
    expect(check).toMatchObject({
      message:
        "Sign in again to approve: your last sign-in was 42 minutes ago and this role needs one within 10 minutes.",
    });
    const breakGlass = checkStepUpClaims({ ...fresh, acrs: [] }, viewer, rule, now, "use break-glass");
    expect(breakGlass).toMatchObject({ message: expect.stringMatching(/^Sign in again to use break-glass: .*c1/) });
  });

  it("names the app registration's optional claim when the ID token has no auth_time or no acrs at all", () => {
    // Entra emits auth_time and acrs in ID tokens only when the registration asks for them: signing in
    // again cannot fix that, so the message must say which setting to add.
    const noAuthTime = checkStepUpClaims({ ...fresh, auth_time: undefined }, viewer, rule, now);
    expect(noAuthTime).toMatchObject({ reason: "no_auth_time" });
    expect((noAuthTime as { message: string }).message).toContain(
      "optional claim auth_time to the ID token on the app registration",
    );
    expect((noAuthTime as { message: string }).message).toContain(
      "Token configuration → Add optional claim → ID → auth_time",
    );

    const noAcrs = checkStepUpClaims({ ...fresh, acrs: undefined }, viewer, rule, now);
    expect(noAcrs).toMatchObject({ reason: "missing_context" });
    expect((noAcrs as { message: string }).message).toContain("authentication context c1");
    expect((noAcrs as { message: string }).message).toContain("Token configuration → Add optional claim → ID → acrs");

    // A sign-in that carries acrs without the context is not about the registration.
    const otherContext = checkStepUpClaims({ ...fresh, acrs: ["c2"] }, viewer, rule, now);
    expect((otherContext as { message: string }).message).not.toContain("optional claim");
    // An auth_time that is there but unusable is not about the registration either.
    const future = checkStepUpClaims({ ...fresh, auth_time: seconds(now) + 3600 }, viewer, rule, now);
    expect((future as { message: string }).message).not.toContain("optional claim");
  });

  it("falls back to jti for the token id, and keeps only strings from amr and acrs", () => {
    const check = checkStepUpClaims(
      { ...fresh, uti: undefined, jti: "j-1", amr: ["pwd", 7], acrs: ["c1", null] },
      viewer,
      rule,
      now,
    );
    expect(check).toMatchObject({ facts: { tokenId: "j-1", amr: ["pwd"], acrs: ["c1"] } });
  });
});

describe("authenticationContextClaims", () => {
  it("asks for the context as an essential acrs claim in the ID token and the access token", () => {
    expect(JSON.parse(authenticationContextClaims("c1"))).toEqual({
      id_token: { acrs: { essential: true, value: "c1" } },
      access_token: { acrs: { essential: true, value: "c1" } },
    });
  });
});
