/* What every ARM endpoint of the emulator shares: the Bearer check, ARM's error envelope, scopes
 * and their hierarchy, `$filter` parsing, absolute `nextLink` paging and ISO 8601 durations. */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { issuerFor, type EmulatorContext } from "./context";
import { type EmulatorRequest, type Handler, type Router, sendJson } from "./http";
import { SUBSCRIPTIONS } from "./arm-seed";

export const ARM_RESOURCE = "https://management.azure.com";
/** Real ARM accepts its tokens for either of its two resource URIs, with or without the slash. */
const ARM_AUDIENCES = [
  ARM_RESOURCE,
  `${ARM_RESOURCE}/`,
  "https://management.core.windows.net",
  "https://management.core.windows.net/",
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

/** Wraps an ARM handler: Bearer token for ARM, `api-version` present, ArmError → error envelope. */
export function armHandler(ctx: EmulatorContext, handler: ArmHandler): Handler {
  return async (req, res) => {
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/i)?.[1];
    if (!bearer) {
      return sendArmError(res, 401, "InvalidAuthenticationToken", "The 'Authorization' header is missing.");
    }
    let token: JWTPayload;
    try {
      token = await ctx.key.verify(bearer, { issuer: issuerFor(ctx) });
    } catch (error) {
      const isExpired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
      return sendArmError(
        res,
        401,
        "InvalidAuthenticationToken",
        isExpired ? "The access token has expired." : "The access token is invalid.",
      );
    }
    const audiences = Array.isArray(token.aud) ? token.aud : [token.aud];
    if (!audiences.some((aud) => aud !== undefined && ARM_AUDIENCES.includes(aud))) {
      return sendArmError(
        res,
        401,
        "InvalidAuthenticationToken",
        `The access token has been obtained for wrong audience or resource '${audiences.join(", ")}'. It should exactly match with one of the allowed audiences '${ARM_AUDIENCES.join("','")}'.`,
      );
    }
    if (!req.url.searchParams.get("api-version")) {
      return sendArmError(
        res,
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }
    try {
      await handler({ ...req, token, callerId: String(token.oid ?? token.sub ?? "") }, res);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      sendArmError(res, error.status, error.code, error.message);
    }
  };
}

/** Scope shapes the emulator serves below `/providers/Microsoft.Authorization/...`. */
const SCOPE_PATTERNS = [
  "",
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

/** Where `itemScope` sits relative to `queryScope`; ARM ids compare case-insensitively. */
export function relateScope(itemScope: string, queryScope: string): ScopeRelation | undefined {
  const item = itemScope.toLowerCase();
  const query = queryScope.toLowerCase();
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

/** Milliseconds of an ISO 8601 duration such as PT8H, PT90M, P1DT2H or P1W; undefined if invalid. */
export function durationMs(iso: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
    iso.trim(),
  );
  if (!m || iso.trim().toUpperCase() === "P" || /T$/i.test(iso.trim())) return undefined;
  const [, w, d, h, min, s] = m.map((part) => Number(part ?? 0));
  return (((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (min ?? 0)) * 60 + (s ?? 0)) * 1000;
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
