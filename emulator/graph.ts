/* The Microsoft Graph v1.0 endpoints the app calls, for the demo tenant. Every call needs a valid
 * Bearer token issued by this emulator for Graph, as real Graph does. */
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { issuerFor, type EmulatorContext } from "./context";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "./http";
import type { DirectoryGroup, DirectoryUser } from "./tenant";
import { GRAPH_RESOURCE } from "./tokens";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;

type GraphHandler = (req: EmulatorRequest, res: ServerResponse, token: JWTPayload) => void;

function userResource(user: DirectoryUser) {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName ?? null,
    jobTitle: user.jobTitle ?? null,
    mail: user.userPrincipalName,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: "en-US",
    surname: user.surname ?? null,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
  };
}

function groupResource(group: DirectoryGroup) {
  return {
    "@odata.type": "#microsoft.graph.group",
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    securityEnabled: true,
    mailEnabled: false,
    groupTypes: [],
  };
}

function applySelect(item: Record<string, unknown>, select: string | null) {
  if (!select) return item;
  const wanted = new Set(select.split(",").map((s) => s.trim()));
  return Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith("@odata") || wanted.has(k)));
}

export function registerGraph(router: Router, ctx: EmulatorContext) {
  const authenticated =
    (handler: GraphHandler) =>
    async (req: EmulatorRequest, res: ServerResponse): Promise<void> => {
      const bearer = req.headers.authorization?.match(/^Bearer (.+)$/i)?.[1];
      if (!bearer) return sendGraphError(res, 401, "InvalidAuthenticationToken", "Access token is empty.");
      let token: JWTPayload;
      try {
        token = await ctx.key.verify(bearer, { issuer: issuerFor(ctx), audience: GRAPH_RESOURCE });
      } catch (error) {
        const reason =
          (error as { code?: string }).code === "ERR_JWT_EXPIRED"
            ? "Lifetime validation failed, the token is expired."
            : "Access token validation failure. Invalid audience or signature.";
        return sendGraphError(res, 401, "InvalidAuthenticationToken", reason);
      }
      handler(req, res, token);
    };

  const resolveUser = (req: EmulatorRequest, res: ServerResponse, token: JWTPayload) => {
    if (req.params.id === undefined) {
      if (token.idtyp === "app") {
        sendGraphError(res, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
        return undefined;
      }
      return ctx.tenant.user(String(token.oid));
    }
    const user = ctx.tenant.user(req.params.id);
    if (!user) {
      sendGraphError(
        res,
        404,
        "Request_ResourceNotFound",
        `Resource '${req.params.id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    return user;
  };

  const getUser: GraphHandler = (req, res, token) => {
    const user = resolveUser(req, res, token);
    if (!user) return;
    sendJson(res, 200, {
      "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#users/$entity`,
      ...applySelect(userResource(user), req.url.searchParams.get("$select")),
    });
  };
  router.on("GET", "/v1.0/me", authenticated(getUser));
  router.on("GET", "/v1.0/users/:id", authenticated(getUser));

  const transitiveMemberOf: GraphHandler = (req, res, token) => {
    const user = resolveUser(req, res, token);
    if (!user) return;
    const q = req.url.searchParams;
    const top = Math.min(Number(q.get("$top") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const skip = Number(q.get("$skiptoken") ?? 0) || 0;
    const all = ctx.tenant.transitiveGroupsOf(user.id);
    const page = all.slice(skip, skip + top).map((g) => applySelect(groupResource(g), q.get("$select")));
    let nextLink: string | undefined;
    if (skip + top < all.length) {
      const next = new URL(`${ctx.baseUrl}${req.url.pathname}`);
      q.forEach((v, k) => k !== "$skiptoken" && next.searchParams.set(k, v));
      next.searchParams.set("$skiptoken", String(skip + top));
      nextLink = next.href;
    }
    sendJson(res, 200, {
      "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#directoryObjects`,
      value: page,
      ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
    });
  };
  for (const path of ["/v1.0/me/transitiveMemberOf", "/v1.0/me/transitiveMemberOf/microsoft.graph.group"]) {
    router.on("GET", path, authenticated(transitiveMemberOf));
  }
  for (const path of [
    "/v1.0/users/:id/transitiveMemberOf",
    "/v1.0/users/:id/transitiveMemberOf/microsoft.graph.group",
  ]) {
    router.on("GET", path, authenticated(transitiveMemberOf));
  }
}
