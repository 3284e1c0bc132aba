import "server-only";
import { errors, jwtVerify, type JWTPayload } from "jose";
import { ISSUER, signingKey } from "@/lib/auth/entra-tokens";
import { AUTHORITY } from "@/lib/auth/msal";
import { env } from "@/lib/config/env";
import type { StepUpRule } from "@/lib/domain/policy-types";
import { AppError } from "@/lib/errors";
import { enforceRateLimit } from "@/lib/limits/rate-limit";
import { checkStepUpClaims, type StepUpFacts, type StepUpPurpose, type StepUpViewer } from "./step-up-rule";

/**
 * Step-up: before a privileged decision (approving, break-glass) on a role whose policy asks for it,
 * the person signs in again in a popup and sends the **ID token** of that sign-in with the decision.
 *
 * Why the ID token rather than an access token for our API: it is what any sign-in to this app
 * registration returns (no API scope to expose or consent to), its audience is our client id and
 * its nonce ties it to the popup MSAL opened, and it is no credential for any API, so handing it to
 * the server grants nothing if it leaks. The checks are the same as for the API's bearer tokens
 * (this tenant's published keys, issuer, audience, expiry), then the step-up rule's own: the
 * viewer's `oid`, `auth_time` no older than the rule allows, and the authentication context in `acrs`.
 */
export async function verifyStepUp(
  token: string | undefined,
  viewer: StepUpViewer,
  rule: StepUpRule,
  now: Date,
  purpose: StepUpPurpose = "approve",
): Promise<StepUpFacts> {
  if (!token) {
    throw refused(
      "no step-up token",
      `This role needs a fresh sign-in to ${purpose}: sign in again when asked (on the request page), or send stepUpToken, the ID token of a sign-in from the last ${rule.maxAgeMinutes} minutes.`,
    );
  }
  // Each token offered is one attempt: a script cannot try tokens against the check at will.
  await enforceRateLimit("step-up", viewer.entraObjectId, now);
  const claims = await verifySignature(token, now, purpose);
  const check = checkStepUpClaims(claims, viewer, rule, now, purpose);
  if (!check.isSatisfied) throw refused(`step-up refused: ${check.reason}`, check.message);
  return check.facts;
}

const refused = (message: string, userMessage: string, cause?: unknown) =>
  new AppError("STEP_UP_REQUIRED", { message, userMessage, cause });

async function verifySignature(token: string, now: Date, purpose: StepUpPurpose): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, signingKey, {
      issuer: ISSUER,
      audience: env.ENTRA_CLIENT_ID,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "oid", "tid"],
      currentDate: now,
      clockTolerance: 60,
    });
    if (payload.tid !== env.ENTRA_TENANT_ID) throw new Error(`tid ${String(payload.tid)}`);
    return payload;
  } catch (error) {
    // Entra ID not answering for its keys is ours to report (502), not the person's to fix.
    if (error instanceof AppError) throw error;
    const detail =
      error instanceof errors.JWTClaimValidationFailed
        ? `claim ${error.claim}: ${error.reason}`
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    throw refused(
      `step-up token refused (${detail})`,
      `Sign in again to ${purpose}: your fresh sign-in could not be verified as one from this organisation's Entra ID for AKS JIT.`,
      error,
    );
  }
}

/**
 * What the request page's Approve button needs to open the step-up popup. The authority is the one
 * the browser already reaches at sign-in (ENTRA_AUTHORITY_HOST); the popup comes back to /auth/popup,
 * which the app registration lists as a "Single-page application" redirect URI.
 */
export function stepUpSettings(viewer: { userPrincipalName: string }, rule: StepUpRule) {
  return {
    authority: AUTHORITY,
    clientId: env.ENTRA_CLIENT_ID,
    redirectUri: `${env.APP_URL}/auth/popup`,
    loginHint: viewer.userPrincipalName,
    maxAgeMinutes: rule.maxAgeMinutes,
    ...(rule.authenticationContext ? { authenticationContext: rule.authenticationContext } : {}),
  };
}
