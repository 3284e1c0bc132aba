/* The local Entra ID + Microsoft Graph emulator: one HTTPS server for the demo tenant. */
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { EmulatorContext } from "./context";
import { registerArm } from "./arm";
import { registerGraph } from "./graph";
import { registerGraphPim } from "./graph-pim";
import { Router, readBody, sendGraphError, sendJson } from "./http";
import { registerCalls } from "./calls";
import { applyFault, registerFaults } from "./faults";
import { registerOidc } from "./oidc";
import type { Tenant } from "./tenant";
import { SigningKey } from "./tokens";

export interface EmulatorOptions {
  tenant: Tenant;
  tls: { cert: string; key: string };
  port: number;
  host?: string;
  /** Entra emits the groups claim only up to this many groups (200 in JWTs). */
  groupsOverageLimit?: number;
  now?: () => Date;
}

export interface RunningEmulator {
  url: string;
  context: EmulatorContext;
  close(): Promise<void>;
}

function state(ctx: EmulatorContext) {
  return {
    tenant: { id: ctx.tenant.id, displayName: ctx.tenant.displayName, domain: ctx.tenant.domain },
    users: ctx.tenant.users.map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
    })),
    groups: ctx.tenant.groups.map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.members] })),
    ...Object.assign({}, ...ctx.inspectors.map((inspect) => inspect())),
  };
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? "localhost";
  const router = new Router();
  const ctx: EmulatorContext = {
    baseUrl: "",
    tenant: options.tenant,
    key: new SigningKey(),
    groupsOverageLimit: options.groupsOverageLimit ?? 200,
    codes: new Map(),
    refreshTokens: new Map(),
    now: options.now ?? (() => new Date()),
    faults: [],
    inspectors: [],
  };
  registerOidc(router, ctx);
  registerGraph(router, ctx);
  registerArm(router, ctx);
  registerGraphPim(router, ctx);
  registerFaults(router, ctx);
  registerCalls(router, ctx);
  router.on("GET", "/_emulator/health", (_req, res) => sendJson(res, 200, { status: "ok" }));
  router.on("GET", "/_emulator/state", (_req, res) => sendJson(res, 200, state(ctx)));
  // Test knobs: e.g. a groups overage limit of 1 makes tokens point to Graph instead of listing groups.
  router.on("PUT", "/_emulator/settings", (req, res) => {
    const limit = Number(req.body.groupsOverageLimit);
    if (!Number.isInteger(limit) || limit < 0) {
      return sendJson(res, 400, {
        error: { code: "BadRequest", message: "groupsOverageLimit must be a whole number" },
      });
    }
    ctx.groupsOverageLimit = limit;
    sendJson(res, 200, { groupsOverageLimit: ctx.groupsOverageLimit });
  });

  const server = https.createServer({ cert: options.tls.cert, key: options.tls.key }, async (req, res) => {
    // Browser clients (msal-browser) call discovery and /token cross-origin.
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin ?? "*");
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Expose-Headers", "request-id, client-request-id, Retry-After");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] ?? "*");
      res.setHeader("Access-Control-Max-Age", "86400");
      res.writeHead(204).end();
      return;
    }
    try {
      // ARM SDKs may send "//subscriptions/..."; collapse leading slashes before parsing.
      const url = new URL((req.url ?? "/").replace(/^\/+/, "/"), ctx.baseUrl);
      if (!url.pathname.startsWith("/_emulator/") && (await applyFault(ctx, req.method ?? "GET", url, req, res)))
        return;
      const match = router.match(req.method ?? "GET", url.pathname);
      if (!match) {
        return sendGraphError(res, 404, "NotFound", `The emulator does not serve ${req.method} ${url.pathname}.`);
      }
      const body = req.method === "GET" || req.method === "HEAD" ? {} : await readBody(req);
      await match.handler({ method: req.method ?? "GET", url, headers: req.headers, params: match.params, body }, res);
    } catch (error) {
      console.error("[emulator] handler failed", error);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "InternalServerError", message: String(error) } });
    }
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `https://${host}:${port}`;
  return {
    url: ctx.baseUrl,
    context: ctx,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
