import { describe, expect, it } from "vitest";
import { seal, unseal } from "./sealed-cookie";

const secret = "a-test-secret-that-is-at-least-32-characters";
const now = new Date("2026-11-23T10:00:00Z");
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe("sealed cookies", () => {
  it("round-trips a payload for the same secret and purpose", async () => {
    const value = await seal({ sid: "abc" }, { secret, purpose: "session", expiresAt: later(60), now });
    expect(await unseal(value, { secret, purpose: "session", now: later(1) })).toMatchObject({ sid: "abc" });
  });

  it("does not reveal the payload in the cookie value", async () => {
    const value = await seal(
      { sid: "visible-if-not-encrypted" },
      { secret, purpose: "session", expiresAt: later(60), now },
    );
    expect(value).not.toContain("visible");
    expect(Buffer.from(value.split(".")[3] ?? "", "base64url").toString()).not.toContain("visible");
  });

  it.each([
    [
      "a tampered value",
      (v: string) => v.slice(0, -4) + (v.endsWith("AAAA") ? "BBBB" : "AAAA"),
      secret,
      "session",
      later(1),
    ],
    ["another secret", (v: string) => v, "another-secret-that-is-at-least-32-characters", "session", later(1)],
    ["another purpose", (v: string) => v, secret, "sign-in", later(1)],
    ["an expired value", (v: string) => v, secret, "session", later(61)],
    ["garbage", () => "not-a-jwe", secret, "session", later(1)],
  ] as const)("rejects %s", async (_name, mutate, readSecret, purpose, readAt) => {
    const value = await seal({ sid: "abc" }, { secret, purpose: "session", expiresAt: later(60), now });
    expect(await unseal(mutate(value), { secret: readSecret, purpose, now: readAt })).toBeNull();
  });
});
