/* Entra ID's OpenID Connect endpoints for the demo tenant: discovery, authorize (account picker),
 * token (authorization code + PKCE, refresh token, client credentials), JWKS and end-session. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import { issuerFor, type EmulatorContext } from "./context";
import { type EmulatorRequest, type Router, redirect, sendEntraError, sendHtml, sendJson, stringParam } from "./http";
import { accountPickerPage, errorPage, formPostPage, signedOutPage } from "./pages";
import type { Application } from "./tenant";
import { clientInfo, issueAppToken, issueUserTokens, resolveScopes } from "./tokens";
import { JWT_BEARER, checkClientAssertion } from "./workload-identity";

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Entra ignores the port of loopback redirect URIs; everything else must match exactly. */
function matchesRedirect(registeredUris: string[], candidate: string) {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return registeredUris.some((registered) => {
    const r = new URL(registered);
    if (LOOPBACK_HOSTS.has(r.hostname) && LOOPBACK_HOSTS.has(url.hostname)) {
      return r.protocol === url.protocol && r.hostname === url.hostname && r.pathname === url.pathname;
    }
    return r.href === url.href;
  });
}

export function isRegisteredRedirect(app: Application, candidate: string) {
  return matchesRedirect(app.redirectUris, candidate) || matchesRedirect(app.spaRedirectUris, candidate);
}

/** A code sent to a single-page application's redirect URI is redeemed by the browser, without a secret. */
function isSpaRedirect(app: Application, candidate: string) {
  return !matchesRedirect(app.redirectUris, candidate) && matchesRedirect(app.spaRedirectUris, candidate);
}

const AUTH_CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;

/**
 * The authentication contexts a `claims` request parameter asks for, e.g.
 * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` (or `values: [...]`, or under
 * `id_token`): what Conditional Access step-up sends. The emulator has no policies to evaluate, so
 * the interactive sign-in satisfies every context asked for. `undefined` when the JSON is malformed.
 */
export function requestedAuthContexts(claims: string | undefined): string[] | undefined {
  if (!claims) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const found = new Set<string>();
  for (const key of ["access_token", "id_token"]) {
    const acrs = (parsed as Record<string, { acrs?: { value?: unknown; values?: unknown } } | undefined>)[key]?.acrs;
    if (!acrs) continue;
    const values = [acrs.value, ...(Array.isArray(acrs.values) ? acrs.values : [])];
    for (const value of values) if (typeof value === "string" && AUTH_CONTEXT_ID.test(value)) found.add(value);
  }
  return [...found].sort();
}

function isAllowedPostLogout(app: Application, candidate: string) {
  try {
    const url = new URL(candidate);
    return app.redirectUris.some((registered) => {
      const r = new URL(registered);
      return LOOPBACK_HOSTS.has(r.hostname) ? r.hostname === url.hostname : r.origin === url.origin;
    });
  } catch {
    return false;
  }
}

/** Resources with a service principal in the demo tenant: Microsoft Graph, ARM, and its own apps' APIs. */
const MICROSOFT_RESOURCES = new Set([
  "https://graph.microsoft.com",
  "https://graph.microsoft.com/",
  "https://management.azure.com",
  "https://management.azure.com/",
  "https://management.core.windows.net",
  "https://management.core.windows.net/",
]);

function isKnownResource(ctx: EmulatorContext, resource: string) {
  if (MICROSOFT_RESOURCES.has(resource.toLowerCase())) return true;
  const key = resource.toLowerCase();
  return ctx.tenant.applications.some((a) => key === a.appId || key === `api://${a.appId}`);
}

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function registerOidc(router: Router, ctx: EmulatorContext) {
  const tenantGuard = (req: EmulatorRequest, res: ServerResponse) => {
    const segment = req.params.tenant ?? "";
    if (ctx.tenant.matchesAuthorityTenant(segment)) return true;
    sendEntraError(
      res,
      400,
      "invalid_tenant",
      90002,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
    return false;
  };

  const discovery = (req: EmulatorRequest, res: ServerResponse) => {
    if (!tenantGuard(req, res)) return;
    const segment = req.params.tenant!;
    const isMultiTenant = segment === "common" || segment === "organizations";
    const base = `${ctx.baseUrl}/${segment}`;
    sendJson(res, 200, {
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
    });
  };
  router.on("GET", "/:tenant/v2.0/.well-known/openid-configuration", discovery);
  router.on("GET", "/:tenant/.well-known/openid-configuration", discovery);

  router.on("GET", "/:tenant/discovery/v2.0/keys", (req, res) => {
    if (!tenantGuard(req, res)) return;
    sendJson(res, 200, { keys: [ctx.key.jwk()] });
  });

  /** Checks that must pass before the emulator may redirect back to the client: shown as a page. */
  const validateClient = (params: Record<string, unknown> | URLSearchParams, res: ServerResponse) => {
    const clientId = stringParam(params, "client_id");
    if (!clientId) {
      sendHtml(res, 400, errorPage(900144, "The request body must contain the following parameter: 'client_id'.", ""));
      return undefined;
    }
    const app = ctx.tenant.application(clientId);
    if (!app) {
      sendHtml(
        res,
        400,
        errorPage(
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant.displayName}'.`,
          "Check the client id (ENTRA_CLIENT_ID).",
        ),
      );
      return undefined;
    }
    const redirectUri = stringParam(params, "redirect_uri");
    if (!redirectUri || !isRegisteredRedirect(app, redirectUri)) {
      sendHtml(
        res,
        400,
        errorPage(
          50011,
          `The redirect URI '${redirectUri ?? ""}' specified in the request does not match the redirect URIs configured for the application '${app.appId}'.`,
          `Registered: ${app.redirectUris.join(", ")}`,
        ),
      );
      return undefined;
    }
    return { app, redirectUri, isSpa: isSpaRedirect(app, redirectUri) };
  };

  const respond = (res: ServerResponse, redirectUri: string, mode: string, fields: Record<string, string>) => {
    if (mode === "form_post") return sendHtml(res, 200, formPostPage(redirectUri, fields));
    const url = new URL(redirectUri);
    const encoded = new URLSearchParams(fields).toString();
    if (mode === "fragment") return redirect(res, `${url.href.split("#")[0]}#${encoded}`);
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
    return redirect(res, url.href);
  };

  const authorizeError = (
    res: ServerResponse,
    redirectUri: string,
    params: Record<string, unknown> | URLSearchParams,
    error: string,
    aadsts: number,
    description: string,
  ) => {
    const state = stringParam(params, "state");
    respond(res, redirectUri, stringParam(params, "response_mode") ?? "query", {
      error,
      error_description: `AADSTS${aadsts}: ${description}`,
      ...(state ? { state } : {}),
    });
  };

  router.on("GET", "/:tenant/oauth2/v2.0/authorize", (req, res) => {
    if (!tenantGuard(req, res)) return;
    const q = req.url.searchParams;
    const client = validateClient(q, res);
    if (!client) return;
    if (!(stringParam(q, "response_type") ?? "").split(" ").includes("code")) {
      return authorizeError(
        res,
        client.redirectUri,
        q,
        "unsupported_response_type",
        700054,
        "response_type 'code' is required by this emulator.",
      );
    }
    if (!stringParam(q, "scope")) {
      return authorizeError(
        res,
        client.redirectUri,
        q,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'scope'.",
      );
    }
    const method = stringParam(q, "code_challenge_method");
    if (method && method !== "S256" && method !== "plain") {
      return authorizeError(
        res,
        client.redirectUri,
        q,
        "invalid_request",
        501491,
        `Invalid code_challenge_method '${method}'.`,
      );
    }
    if (!requestedAuthContexts(stringParam(q, "claims"))) {
      return authorizeError(
        res,
        client.redirectUri,
        q,
        "invalid_request",
        90100,
        "The 'claims' parameter is not valid JSON.",
      );
    }
    const fields = Object.fromEntries([...q.entries()].filter(([k]) => k !== "user_id" && k !== "cancel"));
    // There is no single sign-on session to reuse: every authorize shows this page and every pick
    // is a fresh interactive sign-in (new auth_time), which is what prompt=login asks for anyway.
    sendHtml(
      res,
      200,
      accountPickerPage({
        tenant: ctx.tenant,
        app: client.app,
        action: req.url.pathname,
        fields,
        loginHint: stringParam(q, "login_hint"),
        isReauthentication: stringParam(q, "prompt") === "login",
      }),
    );
  });

  router.on("POST", "/:tenant/oauth2/v2.0/authorize", (req, res) => {
    if (!tenantGuard(req, res)) return;
    const body = req.body;
    const client = validateClient(body, res);
    if (!client) return;
    if (stringParam(body, "cancel")) {
      return authorizeError(
        res,
        client.redirectUri,
        body,
        "access_denied",
        65004,
        "User declined to consent to access the app.",
      );
    }
    const user = ctx.tenant.user(stringParam(body, "user_id") ?? "");
    if (!user || !user.accountEnabled) {
      return authorizeError(
        res,
        client.redirectUri,
        body,
        "access_denied",
        50057,
        "The user account is disabled or does not exist.",
      );
    }
    const acrs = requestedAuthContexts(stringParam(body, "claims"));
    if (!acrs) {
      return authorizeError(
        res,
        client.redirectUri,
        body,
        "invalid_request",
        90100,
        "The 'claims' parameter is not valid JSON.",
      );
    }
    const code = randomBytes(48).toString("base64url");
    const now = ctx.now().getTime();
    const sessionId = randomUUID();
    ctx.codes.set(code, {
      clientId: client.app.appId,
      redirectUri: client.redirectUri,
      userId: user.id,
      scope: stringParam(body, "scope") ?? "",
      nonce: stringParam(body, "nonce"),
      codeChallenge: stringParam(body, "code_challenge"),
      codeChallengeMethod:
        stringParam(body, "code_challenge_method") ?? (stringParam(body, "code_challenge") ? "plain" : undefined),
      authTime: Math.floor(now / 1000),
      sessionId,
      acrs,
      isSpa: client.isSpa,
      expiresAt: now + CODE_LIFETIME_MS,
      isRedeemed: false,
    });
    const state = stringParam(body, "state");
    respond(res, client.redirectUri, stringParam(body, "response_mode") ?? "query", {
      code,
      ...(state ? { state } : {}),
      session_state: sessionId,
      ...(stringParam(body, "client_info") === "1" ? { client_info: clientInfo(user, ctx.tenant) } : {}),
    });
  });

  /** The code or refresh token of a secretless redemption, when it was issued to a single-page application. */
  const spaGrantOf = (grantType: string | undefined, body: Record<string, unknown>) => {
    if (grantType === "authorization_code") {
      const pending = ctx.codes.get(stringParam(body, "code") ?? "");
      return pending?.isSpa ? { hasPkce: Boolean(pending.codeChallenge) } : undefined;
    }
    if (grantType === "refresh_token") {
      return ctx.refreshTokens.get(stringParam(body, "refresh_token") ?? "")?.isSpa ? { hasPkce: true } : undefined;
    }
    return undefined;
  };

  router.on("POST", "/:tenant/oauth2/v2.0/token", async (req, res) => {
    if (!tenantGuard(req, res)) return;
    const body = req.body;
    let clientId = stringParam(body, "client_id");
    let clientSecret = stringParam(body, "client_secret");
    const basic = req.headers.authorization?.match(/^Basic (.+)$/i)?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      clientId = decodeURIComponent(id ?? "");
      clientSecret = decodeURIComponent(secret ?? "");
    }
    if (!clientId)
      return sendEntraError(
        res,
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    const app = ctx.tenant.application(clientId);
    if (!app)
      return sendEntraError(
        res,
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant.displayName}'.`,
      );
    const grantType = stringParam(body, "grant_type");
    // A federated token (Workload ID) as the client's credential, for any grant (RFC 7523 section 2.2).
    const clientAssertion =
      stringParam(body, "client_assertion_type") === JWT_BEARER ? stringParam(body, "client_assertion") : undefined;
    const spaGrant = clientSecret || clientAssertion ? undefined : spaGrantOf(grantType, body);
    if (!clientSecret && !clientAssertion && !spaGrant)
      return sendEntraError(
        res,
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    // Entra redeems a single-page application's codes only from a browser (a cross-origin request).
    if (spaGrant && !req.headers.origin) {
      return sendEntraError(
        res,
        400,
        "invalid_request",
        9002327,
        "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
      );
    }
    if (spaGrant && grantType === "authorization_code" && !spaGrant.hasPkce) {
      return sendEntraError(
        res,
        400,
        "invalid_request",
        9002325,
        "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
      );
    }
    // An app without a secret (Workload ID only) refuses every secret.
    if (clientSecret && !(app.clientSecret && safeEqual(clientSecret, app.clientSecret))) {
      return sendEntraError(
        res,
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
      );
    }
    if (clientAssertion) {
      const refusal = await checkClientAssertion(ctx, app, clientAssertion);
      // Entra answers a refused client assertion as a refused client: 401 invalid_client.
      if (refusal) return sendEntraError(res, 401, "invalid_client", refusal.aadsts, refusal.description);
    }
    const wantsClientInfo = stringParam(body, "client_info") === "1";
    const issuer = issuerFor(ctx);

    if (grantType === "client_credentials") {
      const scopes = (stringParam(body, "scope") ?? "").split(/\s+/).filter(Boolean);
      if (scopes.length !== 1 || !scopes[0]!.endsWith("/.default")) {
        return sendEntraError(
          res,
          400,
          "invalid_scope",
          1002012,
          `The provided value for scope ${scopes.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      const resource = scopes[0]!.slice(0, -"/.default".length);
      if (!isKnownResource(ctx, resource)) {
        // What Entra answers for a resource with no service principal in the tenant (observed with
        // client credentials and /.default, e.g. Azure/azure-cli#29113; error code reference:
        // learn.microsoft.com/entra/identity-platform/reference-error-codes, AADSTS500011).
        return sendEntraError(
          res,
          400,
          "invalid_resource",
          500011,
          `The resource principal named ${resource} was not found in the tenant named ${ctx.tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
        );
      }
      const token = await issueAppToken(ctx.key, issuer, ctx.tenant, app, resource);
      return sendJson(res, 200, {
        token_type: "Bearer",
        expires_in: token.expiresIn,
        ext_expires_in: token.expiresIn,
        access_token: token.accessToken,
      });
    }

    let grant: {
      userId: string;
      scope: string;
      nonce?: string;
      authTime: number;
      sessionId: string;
      acrs: string[];
      isSpa: boolean;
    };
    if (grantType === "authorization_code") {
      const code = stringParam(body, "code");
      if (!code)
        return sendEntraError(
          res,
          400,
          "invalid_request",
          900144,
          "The request body must contain the following parameter: 'code'.",
        );
      const pending = ctx.codes.get(code);
      if (!pending || pending.clientId !== app.appId) {
        return sendEntraError(res, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
      }
      if (pending.isRedeemed) {
        return sendEntraError(
          res,
          400,
          "invalid_grant",
          54005,
          "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
      }
      pending.isRedeemed = true;
      if (ctx.now().getTime() > pending.expiresAt) {
        return sendEntraError(
          res,
          400,
          "invalid_grant",
          70008,
          "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        );
      }
      const redirectUri = stringParam(body, "redirect_uri");
      if (redirectUri !== pending.redirectUri) {
        return sendEntraError(
          res,
          400,
          "invalid_grant",
          500112,
          `The reply address '${redirectUri ?? ""}' does not match the reply address '${pending.redirectUri}' provided when requesting Authorization code.`,
        );
      }
      if (pending.codeChallenge) {
        const verifier = stringParam(body, "code_verifier");
        if (!verifier)
          return sendEntraError(
            res,
            400,
            "invalid_request",
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
          );
        const computed =
          pending.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
        if (!safeEqual(computed, pending.codeChallenge)) {
          return sendEntraError(
            res,
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
          );
        }
      }
      grant = pending;
    } else if (grantType === "refresh_token") {
      const stored = ctx.refreshTokens.get(stringParam(body, "refresh_token") ?? "");
      if (!stored || stored.clientId !== app.appId) {
        return sendEntraError(res, 400, "invalid_grant", 70000, "Provided grant is invalid or malformed.", "bad_token");
      }
      grant = { ...stored, scope: stringParam(body, "scope") ?? stored.scope };
    } else {
      return sendEntraError(
        res,
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grantType ?? ""}'.`,
      );
    }

    const user = ctx.tenant.user(grant.userId);
    if (!user || !user.accountEnabled) {
      return sendEntraError(res, 400, "invalid_grant", 50057, "The user account is disabled.", "bad_token");
    }
    const tokens = await issueUserTokens(ctx.key, {
      issuer,
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
      ...(wantsClientInfo ? { client_info: clientInfo(user, ctx.tenant) } : {}),
    });
  });

  router.on("GET", "/:tenant/oauth2/v2.0/logout", (req, res) => {
    if (!tenantGuard(req, res)) return;
    const target = stringParam(req.url.searchParams, "post_logout_redirect_uri");
    const isAllowed = target && ctx.tenant.applications.some((app) => isAllowedPostLogout(app, target));
    if (!target || !isAllowed) return sendHtml(res, 200, signedOutPage());
    const url = new URL(target);
    const state = stringParam(req.url.searchParams, "state");
    if (state) url.searchParams.set("state", state);
    redirect(res, url.href);
  });
}
