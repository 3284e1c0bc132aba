/* The token endpoint: authenticates the client, then hands the request to its grant type's handler. */
import type { EmulatorContext } from "../context";
import { type Router, sendEntraError, stringParam } from "../http";
import { authenticateClient } from "./client-auth";
import { clientCredentialsGrant } from "./token-client-credentials";
import { authorizationCodeGrant } from "./token-code";
import { refreshTokenGrant } from "./token-refresh";
import type { TokenRequest } from "./token-request";
import { tenantGuard } from "./tenant-guard";

const GRANTS = new Map<string, (token: TokenRequest) => Promise<void>>([
  ["client_credentials", clientCredentialsGrant],
  ["authorization_code", authorizationCodeGrant],
  ["refresh_token", refreshTokenGrant],
]);

export function registerToken(router: Router, ctx: EmulatorContext) {
  router.on("POST", "/:tenant/oauth2/v2.0/token", async (req, res) => {
    if (!tenantGuard(ctx, req, res)) return;
    const app = await authenticateClient(ctx, req, res);
    if (!app) return;
    const grantType = stringParam(req.body, "grant_type");
    const grant = GRANTS.get(grantType ?? "");
    if (!grant) {
      return sendEntraError(
        res,
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grantType ?? ""}'.`,
      );
    }
    await grant({ ctx, res, body: req.body, app });
  });
}
