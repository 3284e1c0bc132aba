/* grant_type=authorization_code: redeems a code from authorize once, checking its client, age,
 * redirect URI and PKCE verifier. */
import { createHash } from "node:crypto";
import { sendEntraError, stringParam } from "../http";
import { safeEqual } from "./client-auth";
import type { TokenRequest } from "./token-request";
import { sendUserTokens } from "./user-tokens";

/** The code's sign-in, or undefined when Entra's error was sent. */
function redeemCode(token: TokenRequest) {
  const { ctx, res, body, app } = token;
  const code = stringParam(body, "code");
  if (!code) {
    return void sendEntraError(
      res,
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'code'.",
    );
  }
  const pending = ctx.codes.get(code);
  if (!pending || pending.clientId !== app.appId) {
    return void sendEntraError(res, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
  }
  if (pending.isRedeemed) {
    return void sendEntraError(
      res,
      400,
      "invalid_grant",
      54005,
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    );
  }
  // Spent before the checks below: a failed redemption spends the code too, so it is never tried twice.
  pending.isRedeemed = true;
  if (ctx.now().getTime() > pending.expiresAt) {
    return void sendEntraError(
      res,
      400,
      "invalid_grant",
      70008,
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    );
  }
  const redirectUri = stringParam(body, "redirect_uri");
  if (redirectUri !== pending.redirectUri) {
    return void sendEntraError(
      res,
      400,
      "invalid_grant",
      500112,
      `The reply address '${redirectUri ?? ""}' does not match the reply address '${pending.redirectUri}' provided when requesting Authorization code.`,
    );
  }
  if (pending.codeChallenge && !verifierMatches(token, pending.codeChallenge, pending.codeChallengeMethod)) {
    return undefined;
  }
  return pending;
}

/** PKCE (RFC 7636): the verifier must hash (S256) or equal (plain) the challenge sent to authorize. */
function verifierMatches({ res, body }: TokenRequest, challenge: string, method: string | undefined) {
  const verifier = stringParam(body, "code_verifier");
  if (!verifier) {
    sendEntraError(
      res,
      400,
      "invalid_request",
      50148,
      "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
    );
    return false;
  }
  const computed = method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  if (!safeEqual(computed, challenge)) {
    sendEntraError(
      res,
      400,
      "invalid_grant",
      501481,
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    );
    return false;
  }
  return true;
}

export async function authorizationCodeGrant(token: TokenRequest) {
  const grant = redeemCode(token);
  if (grant) await sendUserTokens(token, grant);
}
