/* grant_type=client_credentials: an app-only token for one resource's `/.default` scope. */
import { issuerFor } from "../context";
import { sendEntraError, sendJson, stringParam } from "../http";
import { issueAppToken } from "../tokens";
import type { TokenRequest } from "./token-request";

/**
 * Resources with a service principal in the demo tenant: Microsoft Graph, ARM, Log Analytics' query API
 * (https://api.loganalytics.io: "the resource for the token is https://api.loganalytics.io",
 * https://learn.microsoft.com/azure/azure-monitor/logs/api/access-api), and its own apps' APIs.
 */
const MICROSOFT_RESOURCES = new Set([
  "https://api.loganalytics.io",
  "https://api.loganalytics.io/",
  "https://graph.microsoft.com",
  "https://graph.microsoft.com/",
  "https://management.azure.com",
  "https://management.azure.com/",
  "https://management.core.windows.net",
  "https://management.core.windows.net/",
]);

function isKnownResource({ ctx }: TokenRequest, resource: string) {
  if (MICROSOFT_RESOURCES.has(resource.toLowerCase())) return true;
  const key = resource.toLowerCase();
  return ctx.tenant.applications.some((a) => key === a.appId || key === `api://${a.appId}`);
}

export async function clientCredentialsGrant(token: TokenRequest) {
  const { ctx, res, body, app } = token;
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
  if (!isKnownResource(token, resource)) {
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
  const issued = await issueAppToken(ctx.key, issuerFor(ctx), ctx.tenant, app, resource);
  sendJson(res, 200, {
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.accessToken,
  });
}
