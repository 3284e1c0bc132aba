/* The answer to a redeemed code or refresh token: access and ID tokens for the user, and a new
 * refresh token when offline_access was asked for. */
import { randomBytes } from "node:crypto";
import { issuerFor } from "../context";
import { sendEntraError, sendJson, stringParam } from "../http";
import { clientInfo, issueUserTokens, resolveScopes } from "../tokens";
import type { TokenRequest, UserGrant } from "./token-request";

export async function sendUserTokens({ ctx, res, body, app }: TokenRequest, grant: UserGrant) {
  const user = ctx.tenant.user(grant.userId);
  if (!user || !user.accountEnabled) {
    return sendEntraError(res, 400, "invalid_grant", 50057, "The user account is disabled.", "bad_token");
  }
  const tokens = await issueUserTokens(ctx.key, {
    issuer: issuerFor(ctx),
    tenant: ctx.tenant,
    app,
    user,
    scope: grant.scope,
    nonce: grant.nonce,
    authTime: grant.authTime,
    sessionId: grant.sessionId,
    acrs: grant.acrs,
    groupsOverageLimit: ctx.groupsOverageLimit,
    graphBaseUrl: ctx.baseUrl,
  });
  const { oidc, isOffline } = resolveScopes(grant.scope);
  let refreshToken: string | undefined;
  if (isOffline) {
    refreshToken = randomBytes(48).toString("base64url");
    ctx.refreshTokens.set(refreshToken, {
      clientId: app.appId,
      userId: user.id,
      scope: grant.scope,
      authTime: grant.authTime,
      sessionId: grant.sessionId,
      acrs: grant.acrs,
      isSpa: grant.isSpa,
    });
  }
  sendJson(res, 200, {
    token_type: "Bearer",
    scope: [
      ...tokens.permissions.map((p) =>
        tokens.resource === "https://graph.microsoft.com" ? p : `${tokens.resource}/${p}`,
      ),
      ...oidc.filter((s) => s !== "offline_access"),
    ].join(" "),
    expires_in: tokens.expiresIn,
    ext_expires_in: tokens.expiresIn,
    access_token: tokens.accessToken,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
    ...(stringParam(body, "client_info") === "1" ? { client_info: clientInfo(user, ctx.tenant) } : {}),
  });
}
