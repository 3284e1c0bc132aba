/* The Microsoft Graph v1.0 endpoints the app calls, for the demo tenant. Every call needs a valid
 * Bearer token issued by this emulator for Graph, as real Graph does. */
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { issuerFor, type EmulatorContext } from "./context";
import { missingPermissions, permissionRow } from "./graph-permissions";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "./http";
import type { DirectoryGroup, DirectoryUser } from "./tenant";
import { GRAPH_RESOURCE } from "./tokens";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;

export type GraphHandler = (req: EmulatorRequest, res: ServerResponse, token: JWTPayload) => void | Promise<void>;

/** Wraps a handler so it runs only with a valid Bearer token this emulator issued for Graph, as real Graph does. */
export function authenticated(ctx: EmulatorContext, handler: GraphHandler) {
  return async (req: EmulatorRequest, res: ServerResponse): Promise<void> => {
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
    // Graph refuses a call the token's permissions do not cover, per endpoint (graph-permissions.ts).
    const row = permissionRow(req.method, req.route);
    if (!row) {
      // A Graph route nobody gave a row: refused loudly, so that tests catch it.
      console.error(`[emulator] no Graph permission row for ${req.method} ${req.route ?? req.url.pathname}`);
      return sendGraphError(
        res,
        500,
        "InternalServerError",
        `The emulator has no permission row for ${req.method} ${req.route ?? req.url.pathname} (emulator/graph-permissions.ts).`,
      );
    }
    const app = ctx.tenant.application(String(token.appid ?? token.azp ?? ""));
    if (missingPermissions(row, token, app?.applicationPermissions ?? [])) {
      // Graph's body for a call the app's permissions do not allow.
      return sendGraphError(
        res,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
      );
    }
    await handler(req, res, token);
  };
}

/** Graph's 404 for an id that names nothing (contract A.7, observed body). */
export function sendResourceNotFound(res: ServerResponse, id: string) {
  sendGraphError(
    res,
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** One page of a collection: `$top` (default 100, max 999) and an absolute `@odata.nextLink` on the
 * emulator host carrying `$skiptoken`, since the Graph client only follows https links (contract D.1). */
export function sendPage(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  res: ServerResponse,
  context: string,
  all: ReadonlyArray<Record<string, unknown>>,
) {
  const q = req.url.searchParams;
  const top = Math.min(Number(q.get("$top") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const skip = Number(q.get("$skiptoken") ?? 0) || 0;
  const page = all.slice(skip, skip + top).map((item) => applySelect(item, q.get("$select")));
  let nextLink: string | undefined;
  if (skip + top < all.length) {
    const next = new URL(`${ctx.baseUrl}${req.url.pathname}`);
    q.forEach((v, k) => k !== "$skiptoken" && next.searchParams.set(k, v));
    next.searchParams.set("$skiptoken", String(skip + top));
    nextLink = next.href;
  }
  sendJson(res, 200, {
    "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${context}`,
    value: page,
    ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
  });
}

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

/** A user with `$select` applied. `accountEnabled` is not among Graph's default properties: only `$select` returns it. */
function selectedUser(user: DirectoryUser, select: string | null) {
  return select
    ? applySelect({ ...userResource(user), accountEnabled: user.accountEnabled }, select)
    : userResource(user);
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

export function applySelect(item: Record<string, unknown>, select: string | null) {
  if (!select) return item;
  const wanted = new Set(select.split(",").map((s) => s.trim()));
  return Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith("@odata") || wanted.has(k)));
}

/** The user a `/users/{id | userPrincipalName}/…` or `/me/…` path names; answers the error itself when there is none. */
function resolveUser(ctx: EmulatorContext, req: EmulatorRequest, res: ServerResponse, token: JWTPayload) {
  if (req.params.id === undefined) {
    if (token.idtyp === "app") {
      sendGraphError(res, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
      return undefined;
    }
    return ctx.tenant.user(String(token.oid));
  }
  const user = ctx.tenant.user(req.params.id);
  if (!user) sendResourceNotFound(res, req.params.id);
  return user;
}

export function registerGraph(router: Router, ctx: EmulatorContext) {
  const auth = (handler: GraphHandler) => authenticated(ctx, handler);

  const getUser: GraphHandler = (req, res, token) => {
    const user = resolveUser(ctx, req, res, token);
    if (!user) return;
    sendJson(res, 200, {
      "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#users/$entity`,
      ...selectedUser(user, req.url.searchParams.get("$select")),
    });
  };
  router.on("GET", "/v1.0/users", auth(listUsers(ctx)));
  router.on("GET", "/v1.0/me", auth(getUser));
  router.on("GET", "/v1.0/users/:id", auth(getUser));
  // Update user (User.EnableDisableAccount.All for accountEnabled): the emulator keeps accountEnabled
  // and displayName, so that tests can disable a person; a disabled user cannot sign in.
  router.on(
    "PATCH",
    "/v1.0/users/:id",
    auth((req, res, token) => {
      const user = resolveUser(ctx, req, res, token);
      if (!user) return;
      const { accountEnabled, displayName } = req.body;
      if (accountEnabled !== undefined && typeof accountEnabled !== "boolean") {
        return sendGraphError(res, 400, "Request_BadRequest", "Invalid value specified for property 'accountEnabled'.");
      }
      if (typeof accountEnabled === "boolean") user.accountEnabled = accountEnabled;
      if (typeof displayName === "string" && displayName) user.displayName = displayName;
      res.writeHead(204).end();
    }),
  );

  const transitiveMemberOf: GraphHandler = (req, res, token) => {
    const user = resolveUser(ctx, req, res, token);
    if (!user) return;
    sendPage(ctx, req, res, "directoryObjects", ctx.tenant.transitiveGroupsOf(user.id).map(groupResource));
  };
  for (const path of ["/v1.0/me/transitiveMemberOf", "/v1.0/me/transitiveMemberOf/microsoft.graph.group"]) {
    router.on("GET", path, auth(transitiveMemberOf));
  }
  for (const path of [
    "/v1.0/users/:id/transitiveMemberOf",
    "/v1.0/users/:id/transitiveMemberOf/microsoft.graph.group",
  ]) {
    router.on("GET", path, auth(transitiveMemberOf));
  }

  registerGroupMembers(router, ctx);
  registerSignInRevocation(router, ctx);
  registerMail(router, ctx);
}

const USER_FILTER_PROPERTIES = new Set(["displayName", "userPrincipalName", "mail", "givenName", "surname"]);
const STARTSWITH = /^startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i;

/**
 * List users (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/user-list.md), with
 * the `$filter` the people picker sends: `startswith(property,'value')` clauses joined by `or`, on
 * displayName, userPrincipalName, mail, givenName or surname. Graph supports these as default queries
 * (no ConsistencyLevel header; concepts/aad-advanced-queries.md, "user properties") and compares
 * case-insensitively; a quote inside the literal is doubled (OData). Anything else is refused as
 * Graph refuses a query it cannot run (400 Request_UnsupportedQuery), so that the app cannot come
 * to rely on a query Graph would not answer.
 */
function listUsers(ctx: EmulatorContext): GraphHandler {
  return (req, res) => {
    const raw = req.url.searchParams.get("$filter")?.trim();
    let users = ctx.tenant.users;
    if (raw) {
      const clauses = raw.split(/\s+or\s+/i).map((clause) => STARTSWITH.exec(clause.trim()));
      if (clauses.some((m) => !m || !USER_FILTER_PROPERTIES.has(m[1]!))) {
        return sendGraphError(res, 400, "Request_UnsupportedQuery", "Unsupported Query.");
      }
      const tests = clauses.map((m) => ({ property: m![1]!, prefix: m![2]!.replace(/''/g, "'").toLowerCase() }));
      users = users.filter((user) => {
        const resource: Record<string, unknown> = userResource(user);
        return tests.some(({ property, prefix }) => {
          const value = resource[property];
          return typeof value === "string" && value.toLowerCase().startsWith(prefix);
        });
      });
    }
    sendPage(
      ctx,
      req,
      res,
      "users",
      users.map((user) => selectedUser(user, req.url.searchParams.get("$select"))),
    );
  };
}

/** The object id an `@odata.id` reference names: `…/directoryObjects/{id}` (the documented form), `…/users/{id}`
 * or `…/groups/{id}`. */
function referencedObjectId(reference: unknown): string | undefined {
  if (typeof reference !== "string") return undefined;
  return reference.match(/\/(?:directoryObjects|users|groups)\/([^/?#]+)\/?$/i)?.[1];
}

/** A direct member as `/groups/{id}/members` lists it: a directoryObject cast to its type. */
function memberResource(ctx: EmulatorContext, objectId: string, select: string | null = null) {
  const object = ctx.tenant.directoryObject(objectId);
  if (!object) return undefined;
  return object.kind === "user"
    ? { "@odata.type": "#microsoft.graph.user", ...selectedUser(object.user, select) }
    : groupResource(object.group);
}

/** Members of a group and of the groups nested in it, each once (Graph's group-list-transitivemembers). */
function transitiveMemberIds(ctx: EmulatorContext, groupId: string): string[] {
  const found = new Set<string>();
  const pending = [groupId];
  while (pending.length > 0) {
    const group = ctx.tenant.group(pending.pop()!);
    for (const member of group?.members ?? []) {
      if (found.has(member)) continue;
      found.add(member);
      if (ctx.tenant.group(member)) pending.push(member);
    }
  }
  return [...found];
}

type GroupHandler = (req: EmulatorRequest, res: ServerResponse, group: DirectoryGroup) => void | Promise<void>;

/** A handler for `/groups/{id}…`, run with the group the id names; Graph's 404 when it names none. */
function withGroup(ctx: EmulatorContext, handler: GroupHandler) {
  return authenticated(ctx, (req, res) => {
    const groupId = req.params.id ?? "";
    const group = ctx.tenant.group(groupId);
    if (!group) return sendResourceNotFound(res, groupId);
    return handler(req, res, group);
  });
}

/** G16, G17: plain membership, for tenants without PIM (contract A.7), and the list of direct members. */
function registerGroupMembers(router: Router, ctx: EmulatorContext) {
  // Get group (group-get.md): `npm run doctor` checks that each group the configuration names exists.
  router.on(
    "GET",
    "/v1.0/groups/:id",
    withGroup(ctx, (req, res, group) => {
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#groups/$entity`,
        ...applySelect(groupResource(group), req.url.searchParams.get("$select")),
      });
    }),
  );
  // Direct members only, not transitive (Graph's group-list-members): users and nested groups, including
  // those an active PIM assignment makes members (contract A.7 "Interaction with PIM").
  router.on(
    "GET",
    "/v1.0/groups/:id/members",
    withGroup(ctx, (req, res, group) => {
      const members = group.members.flatMap((id) => memberResource(ctx, id) ?? []);
      sendPage(ctx, req, res, "directoryObjects", members);
    }),
  );
  router.on(
    "GET",
    "/v1.0/groups/:id/transitiveMembers",
    withGroup(ctx, (req, res, group) => {
      const select = req.url.searchParams.get("$select");
      const members = transitiveMemberIds(ctx, group.id).flatMap((id) => memberResource(ctx, id, select) ?? []);
      sendPage(ctx, req, res, "directoryObjects", members);
    }),
  );
  router.on(
    "POST",
    "/v1.0/groups/:id/members/$ref",
    withGroup(ctx, (req, res, group) => {
      const reference = req.body["@odata.id"];
      const objectId = referencedObjectId(reference);
      if (!objectId) {
        return sendGraphError(
          res,
          400,
          "Request_BadRequest",
          `Invalid object identifier '${String(reference ?? "")}'.`,
        );
      }
      if (!ctx.tenant.directoryObject(objectId)) return sendResourceNotFound(res, objectId);
      if (!ctx.tenant.addMember(group.id, objectId.toLowerCase())) {
        // The observed text for an existing member (contract A.7, third-party).
        return sendGraphError(
          res,
          400,
          "Request_BadRequest",
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      res.writeHead(204).end();
    }),
  );
  router.on(
    "DELETE",
    "/v1.0/groups/:id/members/:memberId/$ref",
    withGroup(ctx, (req, res, group) => {
      const memberId = req.params.memberId ?? "";
      // UNCERTAIN (contract G): the error for a non-member; 404 Request_ResourceNotFound is the likely one.
      if (!ctx.tenant.removeMember(group.id, memberId.toLowerCase())) return sendResourceNotFound(res, memberId);
      res.writeHead(204).end();
    }),
  );
}

/** G20: recorded for inspection; it also invalidates the user's refresh tokens, as Entra does. */
function registerSignInRevocation(router: Router, ctx: EmulatorContext) {
  const revocations: Array<{ userId: string; at: string }> = [];
  ctx.inspectors.push(() => ({ signInRevocations: [...revocations] }));
  const revoke: GraphHandler = (req, res, token) => {
    const user = resolveUser(ctx, req, res, token);
    if (!user) return;
    revocations.push({ userId: user.id, at: ctx.now().toISOString() });
    for (const [refreshToken, grant] of ctx.refreshTokens) {
      if (grant.userId === user.id) ctx.refreshTokens.delete(refreshToken);
    }
    // 200 with a Boolean rather than the documented 204: a known Graph service issue (contract A.7).
    sendJson(res, 200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#Edm.Boolean`, value: true });
  };
  router.on("POST", "/v1.0/me/revokeSignInSessions", authenticated(ctx, revoke));
  router.on("POST", "/v1.0/users/:id/revokeSignInSessions", authenticated(ctx, revoke));
}

interface SentMail {
  from: string;
  to: string[];
  subject: string;
  contentType: string;
  body: string;
  sentAt: string;
}

function recipientAddresses(recipients: unknown): string[] {
  if (!Array.isArray(recipients)) return [];
  return recipients
    .map((r: unknown) => (r as { emailAddress?: { address?: unknown } } | null)?.emailAddress?.address)
    .filter((address): address is string => typeof address === "string" && address.includes("@"));
}

/** `sendMail`: 202 and kept in a mailbox that GET /_emulator/state shows, so notifications can be checked. */
function registerMail(router: Router, ctx: EmulatorContext) {
  const mailbox: SentMail[] = [];
  ctx.inspectors.push(() => ({
    mail: mailbox.map((m) => ({ from: m.from, to: m.to, subject: m.subject, body: m.body, sentAt: m.sentAt })),
  }));
  const sendMail: GraphHandler = (req, res, token) => {
    const user = resolveUser(ctx, req, res, token);
    if (!user) return;
    const message = req.body.message as
      { subject?: unknown; body?: { contentType?: unknown; content?: unknown }; toRecipients?: unknown } | undefined;
    if (!message || typeof message !== "object") {
      return sendGraphError(res, 400, "ErrorInvalidRequest", "The 'message' parameter is required.");
    }
    const to = recipientAddresses(message.toRecipients);
    if (to.length === 0) {
      return sendGraphError(
        res,
        400,
        "ErrorInvalidRecipients",
        "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
      );
    }
    mailbox.push({
      from: user.userPrincipalName,
      to,
      subject: typeof message.subject === "string" ? message.subject : "",
      contentType: typeof message.body?.contentType === "string" ? message.body.contentType : "text",
      body: typeof message.body?.content === "string" ? message.body.content : "",
      sentAt: ctx.now().toISOString(),
    });
    res.writeHead(202).end();
  };
  router.on("POST", "/v1.0/me/sendMail", authenticated(ctx, sendMail));
  router.on("POST", "/v1.0/users/:id/sendMail", authenticated(ctx, sendMail));
}
