/* Microsoft Graph's read endpoints for app registrations and service principals: what `npm run doctor`
 * reads to check the app's redirect URIs, optional claims and granted application permissions.
 * Shapes follow the application, servicePrincipal and appRoleAssignment resources
 * (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/{application,serviceprincipal,approleassignment}.md). */
import { createHash } from "node:crypto";
import type { EmulatorContext } from "./context";
import { applySelect, authenticated, sendResourceNotFound } from "./graph";
import { GRAPH_APP_ROLE_IDS, MICROSOFT_GRAPH_APP_ID, MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID } from "./graph-permissions";
import { type Router, sendJson } from "./http";
import type { Application } from "./tenant";

/** One optionalClaim as Graph lists it (resources/optionalclaim.md): a predefined claim has source null. */
const optionalClaim = (name: string) => ({ name, source: null, essential: false, additionalProperties: [] });

/** The application object id: the seed's `id`, or one derived from the appId when the seed has none. */
function applicationObjectId(app: Application) {
  return app.id ?? derivedGuid(`application:${app.appId}`);
}

function derivedGuid(seed: string) {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function applicationResource(app: Application) {
  return {
    id: applicationObjectId(app),
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: "AzureADMyOrg",
    identifierUris: [`api://${app.appId}`],
    groupMembershipClaims: app.groupMembershipClaims,
    web: { redirectUris: [...app.redirectUris], homePageUrl: null, logoutUrl: null },
    spa: { redirectUris: [...app.spaRedirectUris] },
    optionalClaims: {
      idToken: app.optionalClaims.idToken.map(optionalClaim),
      accessToken: app.optionalClaims.accessToken.map(optionalClaim),
      saml2Token: [],
    },
  };
}

/** Microsoft Graph's service principal: its app roles are the application permissions it offers. */
function graphServicePrincipal() {
  return {
    id: MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID,
    appId: MICROSOFT_GRAPH_APP_ID,
    displayName: "Microsoft Graph",
    servicePrincipalType: "Application",
    accountEnabled: true,
    appRoles: Object.entries(GRAPH_APP_ROLE_IDS).map(([value, id]) => ({
      id,
      value,
      displayName: value,
      description: value,
      allowedMemberTypes: ["Application"],
      isEnabled: true,
      origin: "Application",
    })),
  };
}

function appServicePrincipal(app: Application) {
  return {
    id: app.servicePrincipalId,
    appId: app.appId,
    displayName: app.displayName,
    servicePrincipalType: "Application",
    accountEnabled: true,
    appRoles: [],
    replyUrls: [...app.redirectUris, ...app.spaRedirectUris],
  };
}

/**
 * When each permission was granted: the emulator's start for the seed's grants, the moment of the
 * PATCH for a grant added later (recordGrants).
 */
const grantedAt = new WeakMap<Application, Map<string, Date>>();

export function recordGrants(app: Application, permissions: readonly string[], now: Date) {
  const times = grantedAt.get(app) ?? new Map<string, Date>();
  for (const permission of permissions) if (!times.has(permission)) times.set(permission, now);
  for (const permission of [...times.keys()]) if (!permissions.includes(permission)) times.delete(permission);
  grantedAt.set(app, times);
}

function appRoleAssignments(app: Application, startedAt: Date) {
  return app.applicationPermissions.flatMap((permission) => {
    const appRoleId = GRAPH_APP_ROLE_IDS[permission];
    if (!appRoleId) return [];
    const id = createHash("sha256").update(`${app.servicePrincipalId}:${appRoleId}`).digest("base64url").slice(0, 43);
    return [
      {
        id,
        appRoleId,
        createdDateTime: (grantedAt.get(app)?.get(permission) ?? startedAt).toISOString(),
        deletedDateTime: null,
        principalDisplayName: app.displayName,
        principalId: app.servicePrincipalId,
        principalType: "ServicePrincipal",
        resourceDisplayName: "Microsoft Graph",
        resourceId: MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID,
      },
    ];
  });
}

export function registerApplications(router: Router, ctx: EmulatorContext) {
  const startedAt = ctx.now();
  for (const app of ctx.tenant.applications) recordGrants(app, app.applicationPermissions, startedAt);
  const select = (item: Record<string, unknown>, q: URLSearchParams) => applySelect(item, q.get("$select"));

  router.on(
    "GET",
    "/v1.0/applications(appId=':appId')",
    authenticated(ctx, (req, res) => {
      const appId = req.params.appId ?? "";
      const app = ctx.tenant.application(appId.toLowerCase());
      if (!app) return sendResourceNotFound(res, appId);
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#applications/$entity`,
        ...select(applicationResource(app), req.url.searchParams),
      });
    }),
  );

  router.on(
    "GET",
    "/v1.0/servicePrincipals(appId=':appId')",
    authenticated(ctx, (req, res) => {
      const appId = (req.params.appId ?? "").toLowerCase();
      const app = ctx.tenant.application(appId);
      const principal =
        appId === MICROSOFT_GRAPH_APP_ID ? graphServicePrincipal() : app ? appServicePrincipal(app) : undefined;
      if (!principal) return sendResourceNotFound(res, req.params.appId ?? "");
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#servicePrincipals/$entity`,
        ...select(principal, req.url.searchParams),
      });
    }),
  );

  // Get servicePrincipal by object id (serviceprincipal-get.md): names a role assignment's principal.
  router.on(
    "GET",
    "/v1.0/servicePrincipals/:id",
    authenticated(ctx, (req, res) => {
      const id = (req.params.id ?? "").toLowerCase();
      const app = ctx.tenant.applications.find((a) => a.servicePrincipalId === id);
      const principal =
        id === MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID
          ? graphServicePrincipal()
          : app
            ? appServicePrincipal(app)
            : undefined;
      if (!principal) return sendResourceNotFound(res, req.params.id ?? "");
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#servicePrincipals/$entity`,
        ...select(principal, req.url.searchParams),
      });
    }),
  );

  // The app roles granted to a service principal (serviceprincipal-list-approleassignments.md); the
  // apps hold Microsoft Graph's roles only, and Graph's own service principal holds none.
  router.on(
    "GET",
    "/v1.0/servicePrincipals/:id/appRoleAssignments",
    authenticated(ctx, (req, res) => {
      const id = (req.params.id ?? "").toLowerCase();
      const app = ctx.tenant.applications.find((a) => a.servicePrincipalId === id);
      if (!app && id !== MICROSOFT_GRAPH_SERVICE_PRINCIPAL_ID) return sendResourceNotFound(res, req.params.id ?? "");
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#servicePrincipals('${id}')/appRoleAssignments`,
        value: app ? appRoleAssignments(app, startedAt) : [],
      });
    }),
  );
}
