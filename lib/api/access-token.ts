import "server-only";
import { errors, jwtVerify, type JWTPayload } from "jose";
import { ROLES_UNVERIFIED_MESSAGE } from "@/lib/auth/authorize";
import { currentGroupIds, currentRoles } from "@/lib/auth/fresh-roles";
import { hasGroupsOverage } from "@/lib/auth/group-membership";
import { authenticationClaims } from "@/lib/auth/authentication";
import { ISSUER, signingKey } from "@/lib/auth/entra-tokens";
import { roleGroupsFromEnv } from "@/lib/auth/session";
import type { SessionUser } from "@/lib/context";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/**
 * Bearer tokens for the JSON API: Entra ID access tokens issued by our tenant for this app's API
 * (scope `api://<client id>/access_as_user`), to people, through any client the tenant allows.
 */

/** v2.0 tokens carry the client id as audience; tokens for the `api://` URI carry that URI. */
const AUDIENCES = [`api://${env.ENTRA_CLIENT_ID}`, env.ENTRA_CLIENT_ID];

const unauthenticated = (message: string, userMessage: string, cause?: unknown) =>
  new AppError("UNAUTHENTICATED", { message, userMessage, cause });

// On globalThis: Next bundles each route separately, and every copy of this module should share one cache.
const VERIFIED = Symbol.for("aks-jit.api.verified-tokens");
const verifiedTokens = () => ((globalThis as { [VERIFIED]?: Map<string, JWTPayload> })[VERIFIED] ??= new Map());
const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * A token's claims once its signature, issuer and audience were checked: the same bytes always check
 * the same, so a script calling many times with one token pays the RSA verification once. Its times
 * are checked again on every call, and a token outside them goes through jwtVerify for its error.
 */
function alreadyVerified(token: string, now: Date): JWTPayload | undefined {
  const claims = verifiedTokens().get(token);
  if (!claims || typeof claims.exp !== "number") return undefined;
  const seconds = now.getTime() / 1000;
  const isCurrent =
    seconds < claims.exp + CLOCK_TOLERANCE_SECONDS &&
    (typeof claims.nbf !== "number" || seconds >= claims.nbf - CLOCK_TOLERANCE_SECONDS);
  return isCurrent ? claims : undefined;
}

async function verify(token: string, now: Date): Promise<JWTPayload> {
  const known = alreadyVerified(token, now);
  if (known) return known;
  const payload = await verifySignature(token, now);
  const cache = verifiedTokens();
  if (cache.size >= 5_000) cache.clear();
  cache.set(token, payload);
  return payload;
}

async function verifySignature(token: string, now: Date): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, signingKey, {
      issuer: ISSUER,
      audience: AUDIENCES,
      algorithms: ["RS256"],
      // Without an expiry a stolen token would work for ever.
      requiredClaims: ["exp"],
      currentDate: now,
      // Entra's clock and ours may differ a little; a minute absorbs that without stretching tokens much.
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return payload;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof errors.JWTExpired)
      throw unauthenticated("access token expired", "Your access token has expired. Get a new one.", error);
    if (error instanceof errors.JWTClaimValidationFailed) {
      throw unauthenticated(
        `access token claim ${error.claim} refused: ${error.reason}`,
        `Your access token is not for this API (its "${error.claim}" claim does not match). Ask for a token with the scope api://${env.ENTRA_CLIENT_ID}/access_as_user from this tenant.`,
        error,
      );
    }
    throw unauthenticated(
      `access token refused: ${error instanceof Error ? error.message : String(error)}`,
      "Your access token is not valid. Get a new one from Entra ID.",
      error,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

async function groupIdsOf(claims: JWTPayload, oid: string, now: Date): Promise<string[]> {
  const { _claim_names: names, hasgroups } = claims;
  const pointer = typeof names === "object" && names !== null ? names : undefined;
  // Too many groups for the token: Entra leaves a pointer instead, and we ask Graph directly.
  if (hasGroupsOverage({ _claim_names: pointer, hasgroups })) {
    const live = await currentGroupIds(oid, now);
    if (live) return live;
    throw new AppError("UPSTREAM", {
      message: `Graph transitiveMemberOf for ${oid} failed (groups overage in the access token)`,
      userMessage: ROLES_UNVERIFIED_MESSAGE,
    });
  }
  const groups = Array.isArray(claims.groups) ? claims.groups : [];
  return groups.filter((g): g is string => typeof g === "string").map((g) => g.toLowerCase());
}

interface StoredUser {
  id: string;
  entraObjectId: string;
  userPrincipalName: string;
  displayName: string;
  /** when this process last wrote the row (ms since the epoch) */
  storedAt: number;
}

// On globalThis: Next bundles each route separately, and every copy of this module should share one cache.
const STORED = Symbol.for("aks-jit.api.stored-users");
const users = () => ((globalThis as { [STORED]?: Map<string, StoredUser> })[STORED] ??= new Map());

/** How long a row this process wrote stands for the person without writing it again. */
const STORED_FOR_MS = 5 * 60_000;

/**
 * The person's row: created on their first call, names refreshed from the token. A script calls
 * the API many times a second with one token; the row it wrote a moment ago with the same names is
 * used as it is (users are never deleted), and any change of name is written at once.
 */
async function storedUser(
  oid: string,
  userPrincipalName: string | undefined,
  displayName: string | undefined,
  now: Date,
) {
  const cache = users();
  const known = cache.get(oid);
  const isSame =
    known !== undefined &&
    now.getTime() - known.storedAt < STORED_FOR_MS &&
    (userPrincipalName === undefined || userPrincipalName === known.userPrincipalName) &&
    (displayName === undefined || displayName === known.displayName);
  if (isSame) return known;
  // Like sign-in: the object id never changes, names are refreshed; not a sign-in, so lastSignInAt stays.
  const user = await db.user.upsert({
    where: { entraObjectId: oid },
    create: {
      entraObjectId: oid,
      tenantId: env.ENTRA_TENANT_ID,
      userPrincipalName: userPrincipalName ?? oid,
      displayName: displayName ?? userPrincipalName ?? oid,
    },
    update: { ...(userPrincipalName ? { userPrincipalName } : {}), ...(displayName ? { displayName } : {}) },
    select: { id: true, entraObjectId: true, userPrincipalName: true, displayName: true },
  });
  if (cache.size >= 10_000) cache.clear();
  const stored = { ...user, storedAt: now.getTime() };
  cache.set(oid, stored);
  return stored;
}

/** The person behind a bearer token, as the use cases see a signed-in user. */
export async function userFromAccessToken(token: string, now: Date): Promise<SessionUser> {
  const claims = await verify(token, now);
  const oid = text(claims.oid)?.toLowerCase();
  if (claims.tid !== env.ENTRA_TENANT_ID || !oid || !UUID.test(oid)) {
    throw unauthenticated(
      `access token for tenant ${String(claims.tid)} (expected ${env.ENTRA_TENANT_ID}) or without oid`,
      "Your access token was not issued to a person in this tenant.",
    );
  }
  // Requests and decisions are made by people: an app-only token (client credentials) has no
  // user behind it, no `scp`, and could not be held to "nobody approves their own request".
  if (!text(claims.scp) || claims.idtyp === "app") {
    throw new AppError("FORBIDDEN", {
      message: `app-only token refused (azp ${String(claims.azp ?? claims.appid)})`,
      userMessage:
        "App-only tokens are not accepted: access is requested and approved by people. Use a delegated token, signed in as yourself.",
    });
  }
  const userPrincipalName = text(claims.preferred_username) ?? text(claims.upn) ?? text(claims.unique_name);
  const displayName = text(claims.name);
  // The token's groups are as old as the token (up to about 90 minutes): roles rest on a fresher read.
  const current = await currentRoles(oid, await groupIdsOf(claims, oid, now), roleGroupsFromEnv(), now);
  const { authTime, methods } = authenticationClaims(claims);
  const user = await storedUser(oid, userPrincipalName, displayName, now);
  return {
    id: user.id,
    entraObjectId: user.entraObjectId,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    groupIds: current.groupIds,
    roles: current.roles,
    roleCheck: current.roleCheck,
    sessionExpiresAt: new Date((claims.exp ?? now.getTime() / 1000) * 1000),
    authentication: { via: "bearer", authTime: authTime?.toISOString() ?? null, methods },
  };
}
