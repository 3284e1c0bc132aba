import "server-only";
import { randomBytes } from "node:crypto";
import { CryptoProvider, type AuthenticationResult } from "@azure/msal-node";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { rememberGroups } from "./fresh-roles";
import { groupIdsFromSignIn } from "./group-membership";
import { SIGN_IN_SCOPES, msalClient } from "./msal";
import { rolesFor } from "./permissions";
import { safeReturnTo } from "./return-to";
import { seal, unseal } from "./sealed-cookie";
import { authenticationClaims } from "./authentication";
import { createSession, roleGroupsFromEnv } from "./session";

/**
 * Sign-in with MSAL's authorization code flow + PKCE, on the server. `beginSignIn` returns the
 * Entra authorize URL and a short-lived encrypted cookie holding the state, nonce and PKCE
 * verifier; `completeSignIn` checks the callback against that cookie, redeems the code, resolves
 * the user's groups and creates the session. No Entra token is kept once sign-in completes.
 */

export const SIGN_IN_COOKIE = "jit_sign_in";
const SIGN_IN_TTL_MS = 10 * 60_000;
export const REDIRECT_URI = `${env.APP_URL}/auth/callback`;

/** Why a sign-in failed; the error page turns each into words and a next step. */
export type SignInFailure =
  "expired" | "state_mismatch" | "code_reused" | "cancelled" | "rejected" | "wrong_tenant" | "unavailable";

export class SignInError extends AppError {
  constructor(
    readonly reason: SignInFailure,
    message: string,
    cause?: unknown,
  ) {
    super("SIGN_IN_FAILED", { message, userMessage: reason, cause });
  }
}

export function signInCookieOptions(now: Date) {
  return {
    httpOnly: true,
    secure: new URL(env.APP_URL).protocol === "https:",
    sameSite: "lax" as const,
    path: "/auth",
    expires: new Date(now.getTime() + SIGN_IN_TTL_MS),
  };
}

export async function beginSignIn(options: { returnTo?: string | null; now: Date }) {
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const state = randomBytes(24).toString("base64url");
  const nonce = randomBytes(24).toString("base64url");
  const authorizeUrl = await msalClient().getAuthCodeUrl({
    scopes: SIGN_IN_SCOPES,
    redirectUri: REDIRECT_URI,
    responseMode: "query",
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
    nonce,
    prompt: "select_account",
  });
  const cookie = await seal(
    { state, nonce, verifier, returnTo: safeReturnTo(options.returnTo) },
    {
      secret: env.SESSION_SECRET,
      purpose: "sign-in",
      expiresAt: new Date(options.now.getTime() + SIGN_IN_TTL_MS),
      now: options.now,
    },
  );
  return { authorizeUrl, cookie };
}

async function redeemCode(code: string, pending: { state: string; nonce: string; verifier: string }) {
  try {
    return await msalClient().acquireTokenByCode(
      {
        code,
        scopes: SIGN_IN_SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: pending.verifier,
        nonce: pending.nonce,
        state: pending.state,
      },
      { code, state: pending.state },
    );
  } catch (error) {
    const e = error as { errorCode?: string; errorMessage?: string };
    const detail = `${e.errorCode ?? "error"}: ${e.errorMessage ?? String(error)}`;
    if (e.errorMessage?.includes("AADSTS54005"))
      throw new SignInError("code_reused", `authorization code already redeemed (${detail})`, error);
    if (e.errorCode === "state_mismatch") throw new SignInError("state_mismatch", detail, error);
    if (e.errorCode === "invalid_grant" || e.errorCode === "nonce_mismatch")
      throw new SignInError("rejected", detail, error);
    throw new SignInError("unavailable", `token redemption failed (${detail})`, error);
  }
}

export async function completeSignIn(options: {
  query: URLSearchParams;
  signInCookie: string | undefined;
  userAgent?: string;
  /** the client's IP address (lib/http/client-ip.ts), or null when it cannot be known */
  ip?: string | null;
  now: Date;
}) {
  const { query, now } = options;
  const pending = options.signInCookie
    ? await unseal(options.signInCookie, { secret: env.SESSION_SECRET, purpose: "sign-in", now })
    : null;
  if (
    !pending ||
    typeof pending.state !== "string" ||
    typeof pending.nonce !== "string" ||
    typeof pending.verifier !== "string"
  ) {
    throw new SignInError("expired", "no pending sign-in: cookie missing, expired, already used or tampered with");
  }
  if (query.get("state") !== pending.state)
    throw new SignInError("state_mismatch", "callback state does not match the pending sign-in");
  const idpError = query.get("error");
  if (idpError) {
    const description = query.get("error_description") ?? "";
    throw new SignInError(
      idpError === "access_denied" ? "cancelled" : "rejected",
      `Entra returned ${idpError}: ${description}`,
    );
  }
  const code = query.get("code");
  if (!code) throw new SignInError("rejected", "callback without code or error");

  const result: AuthenticationResult = await redeemCode(
    code,
    pending as { state: string; nonce: string; verifier: string },
  );
  const claims = result.idTokenClaims as Record<string, unknown>;
  if (claims.tid !== env.ENTRA_TENANT_ID || typeof claims.oid !== "string") {
    throw new SignInError("wrong_tenant", `token for tenant ${String(claims.tid)} (expected ${env.ENTRA_TENANT_ID})`);
  }
  const { groupIds, source } = await groupIdsFromSignIn(claims, result.accessToken);
  // Read from Entra just now: the roles they give need no other read until ROLE_FRESHNESS_SECONDS pass.
  rememberGroups(claims.oid, groupIds, now);
  const roles = rolesFor(groupIds, roleGroupsFromEnv());
  const userPrincipalName = String(claims.preferred_username ?? result.account?.username ?? "");
  const displayName = String(claims.name ?? userPrincipalName);
  const { authTime, methods } = authenticationClaims(claims);

  const session = await db.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { entraObjectId: claims.oid as string },
      create: {
        entraObjectId: claims.oid as string,
        tenantId: env.ENTRA_TENANT_ID,
        userPrincipalName,
        displayName,
        lastSignInAt: now,
      },
      update: { userPrincipalName, displayName, lastSignInAt: now },
    });
    const created = await createSession({
      userId: user.id,
      groupIds,
      userAgent: options.userAgent,
      authTime,
      authMethods: methods,
      now,
      tx,
    });
    await recordAuditEvent(tx, {
      type: "session.signed_in",
      actor: { id: user.id, userPrincipalName },
      subjectId: user.id,
      data: {
        roles,
        groupCount: groupIds.length,
        groupsSource: source,
        userAgent: options.userAgent?.slice(0, 300),
        ip: options.ip,
        authTime: authTime?.toISOString() ?? null,
        authMethods: methods,
      },
      occurredAt: now,
    });
    return created;
  });
  log.info({ upn: userPrincipalName, roles, groupsSource: source }, "signed in");
  return { ...session, returnTo: safeReturnTo(pending.returnTo as string | undefined) };
}
