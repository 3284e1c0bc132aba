import { afterEach, describe, expect, it } from "vitest";
import { beginSignIn, completeSignIn, SignInError } from "@/lib/auth/sign-in";
import { resolveSession } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { demoUser, pickAccount } from "../support/emulator-browser";

/** Sign-in through the real MSAL confidential client against the emulator, and real PostgreSQL. */

async function signInUpTo(choice: Parameters<typeof pickAccount>[1], returnTo = "/audit") {
  const now = new Date();
  const started = await beginSignIn({ returnTo, now });
  const callback = await pickAccount(started.authorizeUrl, choice);
  return { started, callback, now };
}

async function sessionsOf(userPrincipalName: string) {
  return db.session.count({ where: { user: { userPrincipalName } } });
}

const setOverageLimit = (limit: number) =>
  fetch(`${env.ENTRA_AUTHORITY_HOST}/_emulator/settings`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ groupsOverageLimit: limit }),
  });

afterEach(async () => {
  await setOverageLimit(200);
});

describe("sign-in with MSAL against the emulator", () => {
  it("creates the user, a session and an audit event, with roles from the token's groups claim", async () => {
    const { started, callback, now } = await signInUpTo({ userPrincipalName: "n02@contoso.com" });
    expect(new URL(started.authorizeUrl).searchParams.get("code_challenge_method")).toBe("S256");

    const result = await completeSignIn({
      query: callback.searchParams,
      signInCookie: started.cookie,
      userAgent: "vitest",
      now,
    });
    expect(result.returnTo).toBe("/audit");

    const user = await resolveSession(result.cookie, new Date());
    expect(user).toMatchObject({
      entraObjectId: demoUser("n02@contoso.com").id,
      displayName: "Noah Schmidt",
      userPrincipalName: "n02@contoso.com",
      roles: ["requester", "approver"],
    });
    const event = await db.auditEvent.findFirst({
      where: { actorId: user!.id, type: "session.signed_in" },
      orderBy: { seq: "desc" },
    });
    expect(event?.data).toMatchObject({ roles: ["requester", "approver"], groupCount: 2, groupsSource: "token" });
  });

  it("asks Graph transitiveMemberOf for the groups when the token signals groups overage", async () => {
    expect((await setOverageLimit(1)).status).toBe(200);
    const { started, callback, now } = await signInUpTo({ userPrincipalName: "n02@contoso.com" });
    const result = await completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now });

    const user = await resolveSession(result.cookie, new Date());
    expect(user?.roles).toEqual(["requester", "approver"]);
    expect(new Set(user?.groupIds)).toEqual(
      new Set([env.APPROVER_GROUP_IDS[0], "5276251f-922a-4a74-bd64-dd49ae92e206"]),
    );
    const event = await db.auditEvent.findFirst({ where: { actorId: user!.id }, orderBy: { seq: "desc" } });
    expect(event?.data).toMatchObject({ groupsSource: "graph", groupCount: 2 });
  });

  it("rejects a callback whose state is not the one this browser started, before redeeming the code", async () => {
    const { started, callback, now } = await signInUpTo({ userPrincipalName: "p01@contoso.com" });
    const before = await sessionsOf("p01@contoso.com");
    callback.searchParams.set("state", "forged-state");

    await expect(
      completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now }),
    ).rejects.toMatchObject({
      reason: "state_mismatch",
    });
    expect(await sessionsOf("p01@contoso.com")).toBe(before);
  });

  it("rejects a replayed authorization code (Entra answers AADSTS54005)", async () => {
    const { started, callback, now } = await signInUpTo({ userPrincipalName: "aud01@contoso.com" });
    await completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now });
    const before = await sessionsOf("aud01@contoso.com");

    const replay = completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now });
    await expect(replay).rejects.toBeInstanceOf(SignInError);
    await expect(replay).rejects.toMatchObject({ reason: "code_reused" });
    expect(await sessionsOf("aud01@contoso.com")).toBe(before);
  });

  it("rejects a callback without the sign-in cookie, or with an expired one", async () => {
    const { started, callback, now } = await signInUpTo({ userPrincipalName: "adm01@contoso.com" });
    await expect(completeSignIn({ query: callback.searchParams, signInCookie: undefined, now })).rejects.toMatchObject({
      reason: "expired",
    });
    const elevenMinutesLater = new Date(now.getTime() + 11 * 60_000);
    await expect(
      completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now: elevenMinutesLater }),
    ).rejects.toMatchObject({ reason: "expired" });
  });

  it("reports a sign-in cancelled at the account picker", async () => {
    const { started, callback, now } = await signInUpTo("cancel");
    expect(callback.searchParams.get("error")).toBe("access_denied");
    await expect(
      completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now }),
    ).rejects.toMatchObject({
      reason: "cancelled",
    });
  });

  it("only returns to paths on this site", async () => {
    const { started, callback, now } = await signInUpTo(
      { userPrincipalName: "n01@contoso.com" },
      "https://evil.example/",
    );
    const result = await completeSignIn({ query: callback.searchParams, signInCookie: started.cookie, now });
    expect(result.returnTo).toBe("/");
  });
});
