import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { generateKeyPairSync } from "node:crypto";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { approveRequest } from "@/lib/access/approve-request";
import { denyRequest } from "@/lib/access/deny-request";
import { requestAccess } from "@/lib/access/request-access";
import { authenticationContextClaims } from "@/lib/auth/step-up-rule";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { pickAccount } from "../support/emulator-browser";
import { contextFor } from "../support/users";

/**
 * Step-up (policy `stepUp`): approving — and break-glass — on such a role needs the ID token of a
 * fresh sign-in with the role's authentication context. Guards against a refused step-up leaving
 * any trace (a decision row, an audit event, a status change) and against tokens from other keys.
 */

const stepUpRole = {
  cluster: "aks-prod-weu",
  role: "cluster-admin",
  duration: "PT1H",
  justification: "Restore the broken admission webhook",
  ticket: "INC55001",
};
const REDIRECT = "http://localhost:1234/auth/callback";
const MINUTE = 60_000;

/** An ID token from a real sign-in at the emulator (prompt=login), with the authentication context if given. */
async function freshIdToken(userPrincipalName: string, authenticationContext?: string) {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: env.ENTRA_CLIENT_ID,
      clientSecret: env.ENTRA_CLIENT_SECRET,
      authority: `${env.ENTRA_AUTHORITY_HOST}/${env.ENTRA_TENANT_ID}`,
      knownAuthorities: [new URL(env.ENTRA_AUTHORITY_HOST).host],
    },
  });
  const pkce = await new CryptoProvider().generatePkceCodes();
  const claims = authenticationContext ? authenticationContextClaims(authenticationContext) : undefined;
  const url = await cca.getAuthCodeUrl({
    scopes: ["openid", "profile"],
    redirectUri: REDIRECT,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    prompt: "login",
    ...(claims ? { claims } : {}),
  });
  const code = (await pickAccount(url, { userPrincipalName })).searchParams.get("code")!;
  const result = await cca.acquireTokenByCode({
    code,
    scopes: ["openid", "profile"],
    redirectUri: REDIRECT,
    codeVerifier: pkce.verifier,
    ...(claims ? { claims } : {}),
  });
  return result.idToken;
}

/** The same claims and key id as a real token, signed by a key the tenant never published. */
async function forged(realToken: string) {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { kid } = decodeProtectedHeader(realToken);
  return new SignJWT(decodeJwt(realToken)).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(privateKey);
}

async function expectRefused(promise: Promise<unknown>, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("STEP_UP_REQUIRED");
  expect((error as AppError).status).toBe(403);
  expect((error as AppError).userMessage).toMatch(message);
}

async function expectNothingRecorded(requestId: string) {
  expect(await db.decision.count({ where: { requestId } })).toBe(0);
  expect((await db.accessRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("pending");
  const events = await db.auditEvent.findMany({ where: { requestId }, select: { type: true } });
  expect(events.map((e) => e.type)).toEqual(["request.created"]);
}

describe("step-up before approving", () => {
  it("refuses an old sign-in, one without the authentication context, one signed by another key, and no token; records nothing", async () => {
    const request = await requestAccess(stepUpRole, await contextFor("n01@contoso.com"));
    expect(request.stepUp).toEqual({ maxAgeMinutes: 10, authenticationContext: "c1" });
    const p01 = await contextFor("p01@contoso.com");
    const withContext = await freshIdToken("p01@contoso.com", "c1");

    const later = { ...p01, now: new Date(p01.now.getTime() + 42 * MINUTE) };
    await expectRefused(
      approveRequest(request.id, { stepUpToken: withContext }, later),
      /^Sign in again to approve: your last sign-in was 4[12] minutes ago and this role needs one within 10 minutes\.$/,
    );
    await expectRefused(
      approveRequest(request.id, { stepUpToken: await freshIdToken("p01@contoso.com") }, p01),
      /authentication context c1/,
    );
    await expectRefused(
      approveRequest(request.id, { stepUpToken: await forged(withContext) }, p01),
      /could not be verified/,
    );
    await expectRefused(approveRequest(request.id, { comment: "ok" }, p01), /needs a fresh sign-in/);
    await expectRefused(
      approveRequest(request.id, { stepUpToken: await freshIdToken("n02@contoso.com", "c1") }, p01),
      /Sign in again as yourself \(Priya Raman\)/,
    );
    await expectNothingRecorded(request.id);
  });

  it("approves with a fresh sign-in carrying the context, and the audit event holds auth_time, acrs and amr", async () => {
    const request = await requestAccess(stepUpRole, await contextFor("n01@contoso.com"));
    const p01 = await contextFor("p01@contoso.com");
    const token = await freshIdToken("p01@contoso.com", "c1");
    const claims = decodeJwt(token);

    const approved = await approveRequest(request.id, { comment: "go", stepUpToken: token }, p01);
    expect(approved.status).toBe("approved");
    const event = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.approved" } });
    expect(event.data).toMatchObject({
      stepUp: {
        authTime: new Date((claims.auth_time as number) * 1000).toISOString(),
        acrs: ["c1"],
        amr: ["pwd", "mfa"],
        tokenId: claims.uti,
      },
    });
  });

  it("does not ask for step-up to deny: refusing access grants nothing", async () => {
    const request = await requestAccess(stepUpRole, await contextFor("n01@contoso.com"));
    const denied = await denyRequest(
      request.id,
      { comment: "Use the admin role" },
      await contextFor("p01@contoso.com"),
    );
    expect(denied.status).toBe("denied");
  });

  it("refuses, naming the app registration's optional claim, when the registration does not ask for auth_time or acrs", async () => {
    // Entra emits auth_time and acrs in ID tokens only when the app registration lists them as optional
    // claims: without them step-up would be refused for everyone, so the message must name the setting.
    const request = await requestAccess(stepUpRole, await contextFor("n01@contoso.com"));
    const p01 = await contextFor("p01@contoso.com");
    const app = `${env.ENTRA_AUTHORITY_HOST}/_emulator/applications/${env.ENTRA_CLIENT_ID}`;
    const setIdTokenClaims = async (idToken: string[]) => {
      const response = await fetch(app, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ optionalClaims: { idToken } }),
      });
      expect(response.status).toBe(200);
    };
    try {
      await setIdTokenClaims([]);
      await expectRefused(
        approveRequest(request.id, { stepUpToken: await freshIdToken("p01@contoso.com", "c1") }, p01),
        /optional claim auth_time to the ID token on the app registration \(.*Token configuration → Add optional claim → ID → auth_time\)/,
      );
      await setIdTokenClaims(["auth_time"]);
      await expectRefused(
        approveRequest(request.id, { stepUpToken: await freshIdToken("p01@contoso.com", "c1") }, p01),
        /authentication context c1.*optional claim acrs to the ID token on the app registration \(.*Add optional claim → ID → acrs\)/,
      );
      await expectNothingRecorded(request.id);
    } finally {
      await setIdTokenClaims(["auth_time", "acrs"]);
    }
    const approved = await approveRequest(
      request.id,
      { stepUpToken: await freshIdToken("p01@contoso.com", "c1") },
      p01,
    );
    expect(approved.status).toBe("approved");
  });

  it("leaves roles without stepUp as they were", async () => {
    const request = await requestAccess({ ...stepUpRole, role: "admin" }, await contextFor("n01@contoso.com"));
    expect(request.stepUp).toBeNull();
    const approved = await approveRequest(request.id, {}, await contextFor("p01@contoso.com"));
    expect(approved.status).toBe("approved");
  });
});

describe("step-up before break-glass", () => {
  it("refuses break-glass without a fresh sign-in and stores nothing; accepts it with one and records it", async () => {
    const n01 = await contextFor("n01@contoso.com");
    const before = await db.accessRequest.count();
    await expectRefused(requestAccess({ ...stepUpRole, breakGlass: true }, n01), /fresh sign-in to use break-glass/);
    await expectRefused(
      requestAccess({ ...stepUpRole, breakGlass: true, stepUpToken: await freshIdToken("n01@contoso.com") }, n01),
      /^Sign in again to use break-glass: .*c1/,
    );
    expect(await db.accessRequest.count()).toBe(before);

    const request = await requestAccess(
      { ...stepUpRole, breakGlass: true, stepUpToken: await freshIdToken("n01@contoso.com", "c1") },
      n01,
    );
    expect(request.status).toBe("approved");
    const created = await db.auditEvent.findFirstOrThrow({ where: { requestId: request.id, type: "request.created" } });
    expect(created.data).toMatchObject({ stepUp: { acrs: ["c1"], amr: ["pwd", "mfa"] } });
  });
});
