/* Entra ID's OpenID Connect endpoints for the demo tenant: discovery and JWKS, authorize (account
 * picker), token (authorization code + PKCE, refresh token, client credentials) and end-session. */
import type { EmulatorContext } from "../context";
import type { Router } from "../http";
import { registerAuthorize } from "./authorize";
import { registerDiscovery } from "./discovery";
import { registerToken } from "./token";

export function registerOidc(router: Router, ctx: EmulatorContext) {
  registerDiscovery(router, ctx);
  registerAuthorize(router, ctx);
  registerToken(router, ctx);
}
