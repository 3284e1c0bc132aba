/* The authorize endpoint: GET shows the account picker, POST (a pick) issues the authorization code
 * and sends it back to the client's redirect URI. */
import { randomBytes, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { EmulatorContext } from "../context";
import { type Router, redirect, sendHtml, stringParam } from "../http";
import { accountPickerPage, errorPage, formPostPage } from "../pages";
import { clientInfo } from "../tokens";
import { isRegisteredRedirect, isSpaRedirect } from "./redirects";
import { tenantGuard } from "./tenant-guard";

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const AUTH_CONTEXT_ID = /^c([1-9]|[1-9][0-9])$/;

type Params = Record<string, unknown> | URLSearchParams;

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

/** Checks that must pass before the emulator may redirect back to the client: shown as a page. */
function validateClient(ctx: EmulatorContext, params: Params, res: ServerResponse) {
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
}

function respond(res: ServerResponse, redirectUri: string, mode: string, fields: Record<string, string>) {
  if (mode === "form_post") return sendHtml(res, 200, formPostPage(redirectUri, fields));
  const url = new URL(redirectUri);
  const encoded = new URLSearchParams(fields).toString();
  if (mode === "fragment") return redirect(res, `${url.href.split("#")[0]}#${encoded}`);
  for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
  return redirect(res, url.href);
}

/** An error the client hears at its redirect URI, in the response mode it asked for. */
function authorizeError(
  res: ServerResponse,
  redirectUri: string,
  params: Params,
  error: string,
  aadsts: number,
  description: string,
) {
  const state = stringParam(params, "state");
  respond(res, redirectUri, stringParam(params, "response_mode") ?? "query", {
    error,
    error_description: `AADSTS${aadsts}: ${description}`,
    ...(state ? { state } : {}),
  });
}

/** What is wrong with an authorize request's own parameters, as Entra's error and AADSTS code. */
function requestProblem(q: URLSearchParams): [error: string, aadsts: number, description: string] | undefined {
  if (!(stringParam(q, "response_type") ?? "").split(" ").includes("code")) {
    return ["unsupported_response_type", 700054, "response_type 'code' is required by this emulator."];
  }
  if (!stringParam(q, "scope")) {
    return ["invalid_request", 900144, "The request body must contain the following parameter: 'scope'."];
  }
  const method = stringParam(q, "code_challenge_method");
  if (method && method !== "S256" && method !== "plain") {
    return ["invalid_request", 501491, `Invalid code_challenge_method '${method}'.`];
  }
  if (!requestedAuthContexts(stringParam(q, "claims"))) {
    return ["invalid_request", 90100, "The 'claims' parameter is not valid JSON."];
  }
  return undefined;
}

export function registerAuthorize(router: Router, ctx: EmulatorContext) {
  router.on("GET", "/:tenant/oauth2/v2.0/authorize", (req, res) => {
    if (!tenantGuard(ctx, req, res)) return;
    const q = req.url.searchParams;
    const client = validateClient(ctx, q, res);
    if (!client) return;
    const problem = requestProblem(q);
    if (problem) return authorizeError(res, client.redirectUri, q, ...problem);
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
    if (!tenantGuard(ctx, req, res)) return;
    const body = req.body;
    const client = validateClient(ctx, body, res);
    if (!client) return;
    const fail = (error: string, aadsts: number, description: string) =>
      authorizeError(res, client.redirectUri, body, error, aadsts, description);
    if (stringParam(body, "cancel")) return fail("access_denied", 65004, "User declined to consent to access the app.");
    const user = ctx.tenant.user(stringParam(body, "user_id") ?? "");
    if (!user || !user.accountEnabled) {
      return fail("access_denied", 50057, "The user account is disabled or does not exist.");
    }
    const acrs = requestedAuthContexts(stringParam(body, "claims"));
    if (!acrs) return fail("invalid_request", 90100, "The 'claims' parameter is not valid JSON.");
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
}
