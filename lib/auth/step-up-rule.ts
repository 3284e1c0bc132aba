/**
 * Step-up, the pure part: does a verified sign-in's claims satisfy a role's step-up rule for this
 * person, now? No keys, no clock, no database: lib/auth/step-up.ts verifies the token, then asks this.
 */
import type { StepUpRule } from "@/lib/domain/policy-types";

/** What the audit event of the approval (or break-glass) records about the fresh sign-in. */
export interface StepUpFacts {
  /** when the person entered their credentials (`auth_time`), ISO */
  authTime: string;
  /** authentication contexts the sign-in satisfied (`acrs`) */
  acrs: string[];
  /** how they signed in (`amr`: "pwd", "mfa" …) */
  amr: string[];
  /** the token's own id (`uti`, or `jti`), to tie the event to Entra's sign-in logs */
  tokenId: string | null;
}

/** The person the token must belong to, as the use case knows them. */
export interface StepUpViewer {
  entraObjectId: string;
  displayName: string;
}

/** "approve" or "use break-glass": the words that finish "Sign in again to …". */
export type StepUpPurpose = "approve" | "use break-glass";

export type StepUpCheck =
  | { isSatisfied: true; facts: StepUpFacts }
  | { isSatisfied: false; reason: "wrong_user" | "no_auth_time" | "too_old" | "missing_context"; message: string };

/** A sign-in stamped up to a minute in the future is clock skew between Entra and us, not a forgery. */
const FUTURE_SKEW_SECONDS = 60;

const strings = (value: unknown) =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.length <= 64).slice(0, 20) : [];

function describeMinutes(minutes: number) {
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

export function checkStepUpClaims(
  claims: Record<string, unknown>,
  viewer: StepUpViewer,
  rule: StepUpRule,
  now: Date,
  purpose: StepUpPurpose = "approve",
): StepUpCheck {
  const oid = typeof claims.oid === "string" ? claims.oid.toLowerCase() : "";
  if (oid !== viewer.entraObjectId.toLowerCase()) {
    return {
      isSatisfied: false,
      reason: "wrong_user",
      message: `Sign in again as yourself (${viewer.displayName}) to ${purpose}: the sign-in you completed was for another account.`,
    };
  }
  const authTime = claims.auth_time;
  const nowSeconds = now.getTime() / 1000;
  if (authTime === undefined) {
    // Entra puts auth_time in ID tokens only when the app registration asks for it (optional claim):
    // signing in again cannot help until an administrator adds it.
    return {
      isSatisfied: false,
      reason: "no_auth_time",
      message: `AKS JIT cannot check how recent your sign-in is, so it cannot let you ${purpose}: the ID token has no auth_time claim. An administrator must add the optional claim auth_time to the ID token on the app registration (Entra admin center: App registrations → AKS JIT → Token configuration → Add optional claim → ID → auth_time).`,
    };
  }
  if (typeof authTime !== "number" || !Number.isFinite(authTime) || authTime > nowSeconds + FUTURE_SKEW_SECONDS) {
    return {
      isSatisfied: false,
      reason: "no_auth_time",
      message: `Sign in again to ${purpose}: your sign-in does not say when you last entered your credentials.`,
    };
  }
  const ageSeconds = Math.max(0, nowSeconds - authTime);
  if (ageSeconds > rule.maxAgeMinutes * 60) {
    return {
      isSatisfied: false,
      reason: "too_old",
      message: `Sign in again to ${purpose}: your last sign-in was ${describeMinutes(Math.floor(ageSeconds / 60))} ago and this role needs one within ${describeMinutes(rule.maxAgeMinutes)}.`,
    };
  }
  const acrs = strings(claims.acrs);
  if (rule.authenticationContext && claims.acrs === undefined) {
    // No acrs claim at all: either the sign-in satisfied no context, or the registration does not ask
    // for acrs (an optional claim), in which case signing in again never helps.
    return {
      isSatisfied: false,
      reason: "missing_context",
      message: `Sign in again to ${purpose}: this role needs the authentication context ${rule.authenticationContext}, and your sign-in carried no acrs claim. If it still fails after signing in again, an administrator must add the optional claim acrs to the ID token on the app registration (Entra admin center: App registrations → AKS JIT → Token configuration → Add optional claim → ID → acrs).`,
    };
  }
  if (rule.authenticationContext && !acrs.includes(rule.authenticationContext)) {
    return {
      isSatisfied: false,
      reason: "missing_context",
      message: `Sign in again to ${purpose}: this role needs the authentication context ${rule.authenticationContext} (your organisation's Conditional Access policy for it, such as multifactor authentication), and your sign-in did not satisfy it.`,
    };
  }
  const tokenId = typeof claims.uti === "string" ? claims.uti : typeof claims.jti === "string" ? claims.jti : null;
  return {
    isSatisfied: true,
    facts: { authTime: new Date(authTime * 1000).toISOString(), acrs, amr: strings(claims.amr), tokenId },
  };
}

/** The `claims` request parameter that asks Entra for an authentication context, in both tokens. */
export function authenticationContextClaims(authenticationContext: string) {
  const acrs = { acrs: { essential: true, value: authenticationContext } };
  return JSON.stringify({ id_token: acrs, access_token: acrs });
}
