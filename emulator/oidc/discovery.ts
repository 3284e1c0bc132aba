/* OpenID Connect discovery, the signing keys (JWKS) and end-session. */
import type { ServerResponse } from "node:http";
import { issuerFor, type EmulatorContext } from "../context";
import { type EmulatorRequest, type Router, redirect, sendHtml, sendJson, stringParam } from "../http";
import { signedOutPage } from "../pages";
import { isAllowedPostLogout } from "./redirects";
import { tenantGuard } from "./tenant-guard";

function openidConfiguration(ctx: EmulatorContext, segment: string) {
  const isMultiTenant = segment === "common" || segment === "organizations";
  const base = `${ctx.baseUrl}/${segment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: isMultiTenant ? `${ctx.baseUrl}/{tenantid}/v2.0` : issuerFor(ctx),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: new URL(ctx.baseUrl).host,
    cloud_graph_host_name: new URL(ctx.baseUrl).host,
    msgraph_host: new URL(ctx.baseUrl).host,
    rbac_url: ctx.baseUrl,
  };
}

export function registerDiscovery(router: Router, ctx: EmulatorContext) {
  const discovery = (req: EmulatorRequest, res: ServerResponse) => {
    if (!tenantGuard(ctx, req, res)) return;
    sendJson(res, 200, openidConfiguration(ctx, req.params.tenant!));
  };
  router.on("GET", "/:tenant/v2.0/.well-known/openid-configuration", discovery);
  router.on("GET", "/:tenant/.well-known/openid-configuration", discovery);

  router.on("GET", "/:tenant/discovery/v2.0/keys", (req, res) => {
    if (!tenantGuard(ctx, req, res)) return;
    sendJson(res, 200, { keys: [ctx.key.jwk()] });
  });

  router.on("GET", "/:tenant/oauth2/v2.0/logout", (req, res) => {
    if (!tenantGuard(ctx, req, res)) return;
    const target = stringParam(req.url.searchParams, "post_logout_redirect_uri");
    const isAllowed = target && ctx.tenant.applications.some((app) => isAllowedPostLogout(app, target));
    if (!target || !isAllowed) return sendHtml(res, 200, signedOutPage());
    const url = new URL(target);
    const state = stringParam(req.url.searchParams, "state");
    if (state) url.searchParams.set("state", state);
    redirect(res, url.href);
  });
}
