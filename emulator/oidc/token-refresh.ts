/* grant_type=refresh_token: new tokens from the same sign-in, for the scope asked now (or the old one). */
import { sendEntraError, stringParam } from "../http";
import type { TokenRequest } from "./token-request";
import { sendUserTokens } from "./user-tokens";

export async function refreshTokenGrant(token: TokenRequest) {
  const { ctx, res, body, app } = token;
  const stored = ctx.refreshTokens.get(stringParam(body, "refresh_token") ?? "");
  if (!stored || stored.clientId !== app.appId) {
    return sendEntraError(res, 400, "invalid_grant", 70000, "Provided grant is invalid or malformed.", "bad_token");
  }
  await sendUserTokens(token, { ...stored, scope: stringParam(body, "scope") ?? stored.scope });
}
