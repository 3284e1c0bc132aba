/* What every ARM endpoint of the emulator shares: the Bearer check, ARM's error envelope, scopes
 * and their hierarchy, `$filter` parsing, absolute `nextLink` paging and ISO 8601 durations. */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { issuerFor, type EmulatorContext } from "./context";
import { type EmulatorRequest, type Handler, type Router, sendJson } from "./http";
import { MANAGEMENT_GROUPS, SUBSCRIPTIONS } from "./arm-seed";

export const ARM_RESOURCE = "https://management.azure.com";
/**
 * Real ARM accepts its tokens for either of its two resource URIs, with or without the slash, and names
 * them in this order when it refuses one (InvalidAuthenticationTokenAudience; e.g.
 * Azure-Samples/active-directory-dotnetcore-daemon-v2#145).
 */
const ARM_AUDIENCES = [
  "https://management.core.windows.net/",
  "https://management.core.windows.net",
  `${ARM_RESOURCE}/`,
  ARM_RESOURCE,
];
const PAGE_SIZE = 20;

/** An ARM failure: thrown by handlers, sent as `{"error":{"code","message"}}` (contract B.1, E.3). */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ArmRequest extends EmulatorRequest {
  token: JWTPayload;
  /** object id of the caller (user or service principal) */
  callerId: string;
}

export type ArmHandler = (req: ArmRequest, res: ServerResponse) => void | Promise<void>;

export function sendArm(res: ServerResponse, status: number, body: unknown) {
  const requestId = randomUUID();
  // Content-Type must be JSON even on errors: core-client only parses `error.code` from a JSON body.
  sendJson(res, status, body, { "x-ms-request-id": requestId, "x-ms-correlation-request-id": requestId });
}

export function sendArmError(res: ServerResponse, status: number, code: string, message: string) {
  sendArm(res, status, { error: { code, message } });
}

/** `5/17/2019 6:12:33 PM`: how ARM writes times in ExpiredAuthenticationToken. */
function armTime(date: Date) {
  const hours = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${hours % 12 || 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"}`;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${time}`;
}

/**
 * The Bearer token check ARM makes before anything else, with its 401 codes and messages: no header
 * (AuthenticationFailed, hashicorp/terraform-provider-azurerm#3612), a header that is not a Bearer token
 * (AuthenticationFailedInvalidHeader, Azure/azure-sdk-for-python#4124), a token past its expiry
 * (ExpiredAuthenticationToken, microsoft/foundry-dev-tools#461), one for another resource
 * (InvalidAuthenticationTokenAudience, Azure-Samples/active-directory-dotnetcore-daemon-v2#145), and
 * any other bad token (InvalidAuthenticationToken). Throws ArmError.
 */
async function authenticate(ctx: EmulatorContext, header: string | undefined): Promise<JWTPayload> {
  if (!header) {
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  }
  const bearer = /^Bearer (.+)$/i.exec(header)?.[1];
  if (!bearer) {
    throw new ArmError(
      401,
      "AuthenticationFailedInvalidHeader",
      "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    );
  }
  let token: JWTPayload;
  try {
    token = await ctx.key.verify(bearer, { issuer: issuerFor(ctx) });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_JWT_EXPIRED") {
      const exp = Number((error as { payload?: JWTPayload }).payload?.exp ?? 0);
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        `The access token expiry UTC time '${armTime(new Date(exp * 1000))}' is earlier than current UTC time '${armTime(new Date())}'.`,
      );
    }
    throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
  }
  const audiences = Array.isArray(token.aud) ? token.aud : [token.aud];
  if (!audiences.some((aud) => aud !== undefined && ARM_AUDIENCES.includes(aud))) {
    throw new ArmError(
      401,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for wrong audience or resource '${audiences.join(", ")}'. It should exactly match with one of the allowed audiences '${ARM_AUDIENCES.join("','")}'.`,
    );
  }
  return token;
}

/** The api-versions the emulator serves for AKS: the stable spec folders its shapes follow (contract C). */
export const AKS_API_VERSIONS = ["2024-09-01", "2025-10-01"] as const;

/**
 * Resource providers and types the emulator serves, with the api-versions each type accepts: those of
 * @azure/arm-authorization 9.0.0 (roleAssignments, roleDefinitions and permissions 2022-04-01, PIM
 * 2020-10-01) and AKS's. `location` marks a regional provider, which refuses an api-version with
 * NoRegisteredProviderFound; Microsoft.Authorization is not regional and answers InvalidResourceType.
 */
const PROVIDERS: Record<string, { namespace: string; location?: string; types: Record<string, readonly string[]> }> = {
  "microsoft.authorization": {
    namespace: "Microsoft.Authorization",
    types: {
      roleAssignments: ["2022-04-01"],
      roleDefinitions: ["2022-04-01"],
      permissions: ["2022-04-01"],
      roleAssignmentScheduleRequests: ["2020-10-01"],
      roleAssignmentSchedules: ["2020-10-01"],
      roleAssignmentScheduleInstances: ["2020-10-01"],
      roleEligibilitySchedules: ["2020-10-01"],
      roleEligibilityScheduleInstances: ["2020-10-01"],
    },
  },
  // Diagnostic settings (https://learn.microsoft.com/rest/api/monitor/diagnostic-settings, 2021-05-01-preview):
  // an extension resource, not regional.
  "microsoft.insights": {
    namespace: "Microsoft.Insights",
    types: { diagnosticSettings: ["2021-05-01-preview"] },
  },
  // Log Analytics workspaces (https://learn.microsoft.com/rest/api/loganalytics/workspaces/get, 2023-09-01).
  "microsoft.operationalinsights": {
    namespace: "Microsoft.OperationalInsights",
    location: "westeurope",
    types: { workspaces: ["2022-10-01", "2023-09-01", "2025-02-01"] },
  },
  "microsoft.containerservice": {
    namespace: "Microsoft.ContainerService",
    location: "westeurope",
    types: { managedClusters: AKS_API_VERSIONS, "managedClusters/agentPools": AKS_API_VERSIONS },
  },
};

/** What an ARM request does, for api-version checks and Azure RBAC. */
export interface ArmOperation {
  namespace: string;
  /** e.g. `roleAssignments`, `managedClusters/agentPools` (without the namespace) */
  type: string;
  /** the operation RBAC checks (`Microsoft.Authorization/roleAssignments/write`); undefined: none */
  action?: string;
  /** what the action is over: the resource addressed, or for a list the scope it lists at */
  scope: string;
}

/**
 * The operation of a request, from its method and path, the way ARM derives it: the resource type is
 * the namespace after the last `/providers/` and the type segments that follow; GET reads, PUT writes,
 * DELETE deletes, and POST to `{resource}/{verb}` is `{type}/{verb}/action` (operations in
 * articles/role-based-access-control/permissions/management-and-governance.md and containers.md).
 * A list's scope is what it lists under (AuthorizationFailed names the resource id for an item, e.g.
 * Azure/Azure-Landing-Zones#3668). Undefined for paths outside any provider.
 */
export function armOperationOf(method: string, pathname: string): ArmOperation | undefined {
  const path = pathname.replace(/\/{2,}/g, "/").replace(/(.)\/+$/, "$1");
  const at = path.toLowerCase().lastIndexOf("/providers/");
  if (at < 0) return undefined;
  const parent = path.slice(0, at);
  const [rawNamespace = "", ...segments] = path.slice(at + "/providers/".length).split("/");
  const provider = PROVIDERS[rawNamespace.toLowerCase()];
  const namespace = provider?.namespace ?? rawNamespace;
  const isItem = segments.length % 2 === 0;
  const verb = !isItem && method === "POST" ? segments.at(-1) : undefined;
  const typeSegments = (verb ? segments.slice(0, -1) : segments).filter((_, i) => i % 2 === 0);
  const knownType = Object.keys(provider?.types ?? {}).find(
    (t) => t.toLowerCase() === typeSegments.join("/").toLowerCase(),
  );
  const type = knownType ?? typeSegments.join("/");
  const resourceType = `${namespace}/${type}`;
  let action: string | undefined;
  let scope = verb ? path.slice(0, path.length - verb.length - 1) : path;
  if (verb) {
    // Validating a request is not an operation of its own: it needs what creating it needs.
    action = verb.toLowerCase() === "validate" ? `${resourceType}/write` : `${resourceType}/${verb}/action`;
  } else if (!isItem) {
    action = method === "GET" ? `${resourceType}/read` : undefined;
    const above = segments.slice(0, -1);
    scope = above.length > 0 ? `${parent}/providers/${rawNamespace}/${above.join("/")}` : parent || "/";
  } else {
    action = { GET: "read", PUT: "write", PATCH: "write", DELETE: "delete" }[method] as string | undefined;
    action = action && `${resourceType}/${action}`;
  }
  // Anyone may ask what they themselves may do: the permissions list is the caller's own (Permissions - List).
  if (resourceType.toLowerCase() === "microsoft.authorization/permissions") action = undefined;
  return { namespace, type, action, scope };
}

/**
 * Refuses a namespace, type or api-version the emulator does not serve, with ARM's codes:
 * InvalidResourceNamespace (aci-connector-k8s#13; status undocumented, 400 here), InvalidResourceType,
 * 404, for an unknown type or an api-version a non-regional type lacks (Azure/azure-sdk-for-go#16699,
 * Azure/bicep-types-az#2313; 404 in cloudquery/cloudquery#6629), and NoRegisteredProviderFound, 400,
 * for an api-version a regional type lacks (Azure/kubectl-aks#48;
 * articles/azure-resource-manager/troubleshooting/error-register-resource-provider.md).
 */
export function checkResourceType(operation: ArmOperation, apiVersion: string) {
  const provider = PROVIDERS[operation.namespace.toLowerCase()];
  if (!provider) {
    throw new ArmError(400, "InvalidResourceNamespace", `The resource namespace '${operation.namespace}' is invalid.`);
  }
  const versions = provider.types[operation.type];
  const where = `in the namespace '${operation.namespace}' for api version '${apiVersion}'`;
  if (!versions) {
    throw new ArmError(
      404,
      "InvalidResourceType",
      `The resource type '${operation.type}' could not be found ${where}.`,
    );
  }
  if (versions.includes(apiVersion)) return;
  if (provider.location) {
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${provider.location}' and API version '${apiVersion}' for type '${operation.type}'. The supported api-versions are '${versions.join(", ")}'. The supported locations are '${provider.location}'.`,
    );
  }
  throw new ArmError(
    404,
    "InvalidResourceType",
    `The resource type '${operation.type}' could not be found ${where}. The supported api-versions are '${versions.join(",")}'.`,
  );
}

/** Whether the caller may perform `action` over `scope`; set by registerArm (Azure RBAC, arm-authz.ts). */
export type ArmAuthorizer = (callerId: string, action: string, scope: string) => boolean;
const authorizers = new WeakMap<EmulatorContext, ArmAuthorizer>();

export function setArmAuthorizer(ctx: EmulatorContext, authorizer: ArmAuthorizer) {
  authorizers.set(ctx, authorizer);
}

/** Azure RBAC's answer for a data-plane service that authorizes through it (Log Analytics' query API). */
export function isArmAllowed(ctx: EmulatorContext, callerId: string, action: string, scope: string) {
  const authorize = authorizers.get(ctx);
  return authorize ? authorize(callerId, action, scope) : false;
}

/**
 * Azure RBAC's refusal, with its exact words (articles/azure-resource-manager/troubleshooting/
 * common-deployment-errors.md, AuthorizationFailed; message as in Azure/ARO-RP#66 and
 * OfficeDev/microsoft-teams-apps-requestateam#109): a user is named by UPN, a service principal by its
 * object id, as ARM does.
 */
function authorizationFailed(token: JWTPayload, callerId: string, action: string, scope: string) {
  const upn = typeof token.preferred_username === "string" ? token.preferred_username : undefined;
  const client = token.idtyp === "app" || !upn ? callerId : upn;
  return new ArmError(
    403,
    "AuthorizationFailed",
    `The client '${client}' with object id '${callerId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** What ARM checks before a provider sees a request, in ARM's order; throws ArmError. */
async function admit(ctx: EmulatorContext, req: EmulatorRequest) {
  const token = await authenticate(ctx, req.headers.authorization);
  const callerId = String(token.oid ?? token.sub ?? "").toLowerCase();
  const apiVersion = req.url.searchParams.get("api-version");
  if (!apiVersion) {
    throw new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  const operation = armOperationOf(req.method, req.url.pathname);
  if (operation) checkResourceType(operation, apiVersion);
  const subscription = /^\/+subscriptions\/([^/]+)/i.exec(req.url.pathname)?.[1];
  if (subscription) requireSubscription(subscription);
  const authorize = authorizers.get(ctx);
  if (operation?.action && authorize && !authorize(callerId, operation.action, operation.scope)) {
    throw authorizationFailed(token, callerId, operation.action, operation.scope);
  }
  return { token, callerId, operation };
}

/**
 * Wraps an ARM handler: authentication, `api-version`, the resource type and its api-versions, the
 * subscription, then Azure RBAC for the caller's object id (and its groups) over the operation's scope;
 * ArmError → error envelope.
 */
export function armHandler(ctx: EmulatorContext, handler: ArmHandler): Handler {
  return async (req, res) => {
    try {
      const { token, callerId } = await admit(ctx, req);
      await handler({ ...req, token, callerId }, res);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      sendArmError(res, error.status, error.code, error.message);
    }
  };
}

/** Whether a path is ARM's (subscriptions, or a provider at the root scope), so its errors are ARM's. */
export const isArmPath = (pathname: string) => /^\/+(subscriptions|providers)(\/|$)/i.test(pathname);

/**
 * An ARM path no route serves: ARM's checks first (so a bad token, api-version, namespace or type gets
 * ARM's answer), then a plain 404 for a known type's operation the emulator does not model.
 */
export function armFallback(ctx: EmulatorContext): Handler {
  return armHandler(ctx, (req) => {
    throw new ArmError(404, "NotFound", `The emulator does not serve ${req.method} ${req.url.pathname}.`);
  });
}

/** Scope shapes the emulator serves below `/providers/Microsoft.Authorization/...`. */
const SCOPE_PATTERNS = [
  "",
  "/providers/Microsoft.Management/managementGroups/:managementGroup",
  "/subscriptions/:subscription",
  "/subscriptions/:subscription/resourceGroups/:resourceGroup",
  "/subscriptions/:subscription/resourceGroups/:resourceGroup/providers/:namespace/:type/:resource",
  "/subscriptions/:subscription/resourceGroups/:resourceGroup/providers/:namespace/:type/:resource/:childType/:child",
];

/** Registers `tail` (e.g. `/providers/Microsoft.Authorization/roleAssignments/:name`) under every scope shape. */
export function onScoped(router: Router, method: string, tail: string, handler: Handler) {
  for (const scope of SCOPE_PATTERNS) router.on(method, `${scope}${tail}`, handler);
}

/**
 * The scope a request addresses: the path before `/providers/Microsoft.Authorization/`, with repeated
 * slashes collapsed (the SDK sends `//subscriptions/...` for a scope given with its leading slash, B.7).
 */
export function scopeOf(url: URL): string {
  const path = url.pathname.replace(/\/{2,}/g, "/");
  const at = path.toLowerCase().lastIndexOf("/providers/microsoft.authorization/");
  const scope = (at < 0 ? path : path.slice(0, at)).replace(/\/+$/, "");
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
  if (subscription) requireSubscription(subscription);
  return scope === "" ? "/" : scope;
}

/** Every subscription other than the seeded ones is unknown, as it would be to real ARM. */
export function requireSubscription(subscriptionId: string) {
  const found = SUBSCRIPTIONS.find((s) => s.subscriptionId === subscriptionId.toLowerCase());
  if (!found) {
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  }
  return found;
}

/** `/subscriptions/{id}` of a scope, or "" for the root scope. */
export function subscriptionPrefix(scope: string) {
  return /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? "";
}

export type ScopeRelation = "at" | "above" | "below";

const MANAGEMENT_GROUP_SCOPE = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/i;

/** The management group a scope names (`/providers/Microsoft.Management/managementGroups/{id}`), if it is one. */
export function managementGroupOf(scope: string) {
  const id = MANAGEMENT_GROUP_SCOPE.exec(scope)?.[1]?.toLowerCase();
  return MANAGEMENT_GROUPS.find((m) => m.name.toLowerCase() === id);
}

/**
 * A scope as a path down Azure's hierarchy: root, management group, subscription, resource group,
 * resource ("Management groups, subscriptions, resource groups, and resources": articles/
 * role-based-access-control/scope-overview.md). A subscription's id does not name its management
 * group, so the seed's placement is put in front of it.
 */
function hierarchyPath(scope: string) {
  const s = scope.toLowerCase();
  const group = managementGroupOf(s);
  if (group) return `/managementgroups/${group.name.toLowerCase()}`;
  const subscription = /^\/subscriptions\/([^/]+)/.exec(s)?.[1];
  const parent = MANAGEMENT_GROUPS.find((m) => subscription && m.subscriptions.includes(subscription));
  return parent ? `/managementgroups/${parent.name.toLowerCase()}${s}` : s;
}

/**
 * Where `itemScope` sits relative to `queryScope` in that hierarchy, so that a management group's
 * assignments are inherited by its subscriptions' scopes; ARM ids compare case-insensitively.
 */
export function relateScope(itemScope: string, queryScope: string): ScopeRelation | undefined {
  const item = itemScope === "/" ? "/" : hierarchyPath(itemScope);
  const query = queryScope === "/" ? "/" : hierarchyPath(queryScope);
  if (item === query) return "at";
  const within = (outer: string, inner: string) => outer === "/" || inner.startsWith(`${outer}/`);
  if (within(item, query)) return "above";
  if (within(query, item)) return "below";
  return undefined;
}

export function scopeKind(scope: string): "subscription" | "resourcegroup" | "resource" | "root" {
  if (scope === "/") return "root";
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return "subscription";
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(scope)) return "resourcegroup";
  return "resource";
}

/** The trailing GUID of a role definition id (full id or bare GUID): ARM echoes other forms (B.2). */
export function roleGuid(roleDefinitionId: string) {
  return (roleDefinitionId.split("/").pop() ?? "").toLowerCase();
}

export interface ArmFilter {
  atScope: boolean;
  principalId?: string;
  assignedTo?: string;
  asTarget: boolean;
  asRequestor: boolean;
  asApprover: boolean;
  roleDefinitionId?: string;
  status?: string;
  requestorId?: string;
  roleName?: string;
  roleType?: string;
}

type FilterTerm = keyof ArmFilter;

const TERMS: Array<{ key: FilterTerm; pattern: RegExp }> = [
  { key: "atScope", pattern: /^atScope\(\)$/i },
  { key: "asTarget", pattern: /^asTarget\(\)$/i },
  { key: "asRequestor", pattern: /^asRequestor\(\)$/i },
  { key: "asApprover", pattern: /^asApprover\(\)$/i },
  { key: "principalId", pattern: /^principalId\s+eq\s+'?([^' ]+)'?$/i },
  { key: "assignedTo", pattern: /^assignedTo\('([^']+)'\)$/i },
  { key: "roleDefinitionId", pattern: /^roleDefinitionId\s+eq\s+'([^']+)'$/i },
  { key: "status", pattern: /^status\s+eq\s+'([^']+)'$/i },
  { key: "requestorId", pattern: /^requestorId\s+eq\s+'([^']+)'$/i },
  { key: "roleName", pattern: /^roleName\s+eq\s+'((?:[^']|'')*)'$/i },
  { key: "roleType", pattern: /^type\s+eq\s+'([^']+)'$/i },
];

/** Parses `$filter` (terms joined by `and`); a term the endpoint does not support is a 400. */
export function parseFilter(url: URL, supported: FilterTerm[]): ArmFilter {
  const filter: ArmFilter = { atScope: false, asTarget: false, asRequestor: false, asApprover: false };
  const raw = url.searchParams.get("$filter")?.trim();
  if (!raw) return filter;
  for (const term of raw.split(/\s+and\s+/i)) {
    const match = TERMS.map((t) => ({ key: t.key, m: t.pattern.exec(term.trim()) })).find((t) => t.m);
    if (!match || !supported.includes(match.key)) {
      throw new ArmError(400, "UnsupportedQuery", `The filter '${raw}' is not supported.`);
    }
    const value = match.m?.[1];
    const record = filter as unknown as Record<string, unknown>;
    record[match.key] = value === undefined ? true : value.replace(/''/g, "'");
  }
  return filter;
}

/**
 * A list at the scope the path addresses: `$filter` with the terms the endpoint supports (any other
 * is a 400), answered one page at a time.
 */
export function scopedList(
  ctx: EmulatorContext,
  supported: FilterTerm[],
  list: (scope: string, filter: ArmFilter, req: ArmRequest) => unknown[],
): Handler {
  return armHandler(ctx, (req, res) => {
    const scope = scopeOf(req.url);
    const filter = parseFilter(req.url, supported);
    sendArm(res, 200, page(ctx, req.url, list(scope, filter, req)));
  });
}

/** One page of `items`, with an absolute `nextLink` on the emulator's host (contract B.1, E.6). */
export function page<T>(ctx: EmulatorContext, url: URL, items: T[]) {
  const skip = Math.max(0, Number(url.searchParams.get("$skipToken") ?? 0) || 0);
  const value = items.slice(skip, skip + PAGE_SIZE);
  if (skip + PAGE_SIZE >= items.length) return { value };
  const next = new URL(`${ctx.baseUrl}${url.pathname.replace(/\/{2,}/g, "/")}`);
  url.searchParams.forEach((v, k) => k !== "$skipToken" && next.searchParams.set(k, v));
  next.searchParams.set("$skipToken", String(skip + PAGE_SIZE));
  return { value, nextLink: next.href };
}

export function stringProp(source: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = source?.[key];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

export function objectProp(source: Record<string, unknown> | undefined, key: string) {
  const value = source?.[key];
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `{scope}/providers/Microsoft.Authorization/{tail}`, without a double slash at the root scope. */
export function authorizationId(scope: string, tail: string) {
  return `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/${tail}`;
}

export const isGuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
