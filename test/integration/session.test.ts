import { describe, expect, it } from "vitest";
import { SESSION_TIMEOUTS, endSession, resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { signInThroughEmulator } from "../support/sign-in";

const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);

async function sessionRowOf(userPrincipalName: string) {
  return db.session.findFirstOrThrow({ where: { user: { userPrincipalName } }, orderBy: { createdAt: "desc" } });
}

describe("server-side sessions", () => {
  it("accepts the cookie it issued and refreshes last-seen at most once a minute", async () => {
    const now = new Date();
    const { cookie } = await signInThroughEmulator("n01@contoso.com", now);
    expect(await resolveSession(cookie, minutes(now, 0.5))).toMatchObject({ userPrincipalName: "n01@contoso.com" });
    expect((await sessionRowOf("n01@contoso.com")).lastSeenAt).toEqual(now);
    await resolveSession(cookie, minutes(now, 2));
    expect((await sessionRowOf("n01@contoso.com")).lastSeenAt).toEqual(minutes(now, 2));
  });

  it("rejects a tampered cookie", async () => {
    const { cookie } = await signInThroughEmulator("n01@contoso.com");
    const parts = cookie.split(".");
    parts[3] = Buffer.from("tampered-ciphertext").toString("base64url");
    expect(await resolveSession(parts.join("."), new Date())).toBeNull();
    expect(await resolveSession(cookie.slice(0, -2), new Date())).toBeNull();
  });

  it("ends a session left idle longer than the idle timeout", async () => {
    const now = new Date();
    const { cookie } = await signInThroughEmulator("p01@contoso.com", now);
    const idleMinutes = SESSION_TIMEOUTS.idleMs / 60_000;
    expect(await resolveSession(cookie, minutes(now, idleMinutes + 1))).toBeNull();
    expect(await sessionRowOf("p01@contoso.com")).toMatchObject({ endReason: "idle_timeout" });
    // Once ended, it stays ended even if the clock were to go back.
    expect(await resolveSession(cookie, minutes(now, 1))).toBeNull();
  });

  it("ends a session at its absolute timeout however active it was", async () => {
    const now = new Date();
    const { cookie, expiresAt } = await signInThroughEmulator("aud01@contoso.com", now);
    for (let at = now; at < expiresAt; at = minutes(at, 20)) {
      expect(await resolveSession(cookie, at)).not.toBeNull();
    }
    // The cookie itself expires at the same time; the database says why.
    expect(await resolveSession(cookie, minutes(expiresAt, 0))).toBeNull();
  });

  it("sign-out ends the session for every copy of the cookie and is audited", async () => {
    const { cookie } = await signInThroughEmulator("adm01@contoso.com");
    expect(await endSession(cookie, new Date())).toBe(true);
    expect(await resolveSession(cookie, new Date())).toBeNull();
    expect(await endSession(cookie, new Date())).toBe(false);
    const row = await sessionRowOf("adm01@contoso.com");
    expect(row.endReason).toBe("signed_out");
    const event = await db.auditEvent.findFirst({
      where: { type: "session.signed_out", actorUpn: "adm01@contoso.com" },
    });
    expect(event).not.toBeNull();
  });

  it("stores only a hash of the session token", async () => {
    const { cookie } = await signInThroughEmulator("n02@contoso.com");
    const rows = await db.session.findMany({ select: { id: true } });
    expect(rows.every((row) => /^[a-f0-9]{64}$/.test(row.id))).toBe(true);
    expect(rows.some((row) => cookie.includes(row.id))).toBe(false);
  });
});
