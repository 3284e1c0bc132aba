/* Who is calling the token endpoint: the client id (body or HTTP Basic) and its credential (a
 * secret, a federated client assertion, or none for a single-page application's own code). */
import { timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { EmulatorContext } from "../context";
import { type EmulatorRequest, sendEntraError, stringParam } from "../http";
import type { Application } from "../tenant";
import { JWT_BEARER, checkClientAssertion } from "../workload-identity";

export function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The code or refresh token of a secretless redemption, when it was issued to a single-page application. */
function spaGrantOf(ctx: EmulatorContext, grantType: string | undefined, body: Record<string, unknown>) {
  if (grantType === "authorization_code") {
    const pending = ctx.codes.get(stringParam(body, "code") ?? "");
    return pending?.isSpa ? { hasPkce: Boolean(pending.codeChallenge) } : undefined;
  }
  if (grantType === "refresh_token") {
    return ctx.refreshTokens.get(stringParam(body, "refresh_token") ?? "")?.isSpa ? { hasPkce: true } : undefined;
  }
  return undefined;
}

function credentialsOf(req: EmulatorRequest) {
  let clientId = stringParam(req.body, "client_id");
  let clientSecret = stringParam(req.body, "client_secret");
  const basic = req.headers.authorization?.match(/^Basic (.+)$/i)?.[1];
  if (basic) {
    const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
    clientId = decodeURIComponent(id ?? "");
    clientSecret = decodeURIComponent(secret ?? "");
  }
  // A federated token (Workload ID) as the client's credential, for any grant (RFC 7523 section 2.2).
  const clientAssertion =
    stringParam(req.body, "client_assertion_type") === JWT_BEARER
      ? stringParam(req.body, "client_assertion")
      : undefined;
  return { clientId, clientSecret, clientAssertion };
}

/** The calling application, once its credential is checked; undefined when Entra's error was sent. */
export async function authenticateClient(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  res: ServerResponse,
): Promise<Application | undefined> {
  const body = req.body;
  const { clientId, clientSecret, clientAssertion } = credentialsOf(req);
  if (!clientId) {
    sendEntraError(
      res,
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
    return undefined;
  }
  const app = ctx.tenant.application(clientId);
  if (!app) {
    sendEntraError(
      res,
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant.displayName}'.`,
    );
    return undefined;
  }
  const grantType = stringParam(body, "grant_type");
  const spaGrant = clientSecret || clientAssertion ? undefined : spaGrantOf(ctx, grantType, body);
  if (!clientSecret && !clientAssertion && !spaGrant) {
    sendEntraError(
      res,
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
    return undefined;
  }
  // Entra redeems a single-page application's codes only from a browser (a cross-origin request).
  if (spaGrant && !req.headers.origin) {
    sendEntraError(
      res,
      400,
      "invalid_request",
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    );
    return undefined;
  }
  if (spaGrant && grantType === "authorization_code" && !spaGrant.hasPkce) {
    sendEntraError(
      res,
      400,
      "invalid_request",
      9002325,
      "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
    );
    return undefined;
  }
  // An app without a secret (Workload ID only) refuses every secret.
  if (clientSecret && !(app.clientSecret && safeEqual(clientSecret, app.clientSecret))) {
    sendEntraError(
      res,
      401,
      "invalid_client",
      7000215,
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
    );
    return undefined;
  }
  if (clientAssertion) {
    const refusal = await checkClientAssertion(ctx, app, clientAssertion);
    // Entra answers a refused client assertion as a refused client: 401 invalid_client.
    if (refusal) {
      sendEntraError(res, 401, "invalid_client", refusal.aadsts, refusal.description);
      return undefined;
    }
  }
  return app;
}
