/* The local Entra ID + Microsoft Graph emulator: one HTTPS server for the demo tenant. */
import { randomUUID } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { DEFAULT_SERVICE_SETTINGS, type EmulatorContext, type ServiceSettings } from "./context";
import { registerArm } from "./arm";
import { armFallback, isArmPath } from "./arm-common";
import { registerGraph } from "./graph";
import { registerGraphPim } from "./graph-pim/routes";
import { Router, readBody, sendGraphError, sendJson } from "./http";
import { registerCalls } from "./calls";
import { applyFault, registerFaults } from "./faults";
import { registerThrottling, Throttling } from "./throttling";
import { registerOidc } from "./oidc/routes";
import type { Tenant } from "./tenant";
import { registerWorkloadIdentity } from "./workload-identity";
import { registerApplicationsKnob } from "./applications-knob";
import { registerApplications } from "./applications";
import type { EmulatorState } from "./state";
import { SigningKey } from "./tokens";
import { CLUSTERS } from "./arm-seed";
import { scaleClusters } from "./scale-seed";
import { LogStore } from "./log-analytics/store";
import { registerLogAnalytics, seedLogAnalytics } from "./log-analytics/routes";
import { registerDemoActivity } from "./log-analytics/demo-activity";
import { registerSignIns, SignInStore } from "./graph-sign-ins";

export interface EmulatorOptions {
  tenant: Tenant;
  /** `ca`: the authority that signed `cert` (ensureCertificates gives it), trusted for calls to itself */
  tls: { cert: string; key: string; ca?: string };
  port: number;
  host?: string;
  /** Entra emits the groups claim only up to this many groups (200 in JWTs). */
  groupsOverageLimit?: number;
  now?: () => Date;
  settings?: Partial<ServiceSettings>;
  /** this many more AKS clusters, with the app's role on each and a little drift (emulator/scale-seed.ts) */
  scaleClusters?: number;
  /** Azure's throttling budgets on from the start (EMULATOR_THROTTLING=azure); off by default */
  isThrottling?: boolean;
  /** seed overlays (emulator/seeds/{name}.json) laid over the tenant, e.g. "standing-access" */
  seeds?: readonly string[];
  /**
   * The demo's activity: each role given on a demo cluster plays a short kubectl session into the audit
   * logs (log-analytics/demo-activity.ts). Off unless asked (`npm run demo` and `npm run emulator` ask).
   */
  demoActivity?: boolean;
}

export interface RunningEmulator {
  url: string;
  context: EmulatorContext;
  /** every route's method and path template (a test checks each Graph route has a permission row) */
  routes(): Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

function state(ctx: EmulatorContext): EmulatorState {
  return {
    tenant: { id: ctx.tenant.id, displayName: ctx.tenant.displayName, domain: ctx.tenant.domain },
    users: ctx.tenant.users.map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
    })),
    groups: ctx.tenant.groups.map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.members] })),
    // Each service module fills in its own fields (StateInspector).
    ...(Object.assign({}, ...ctx.inspectors.map((inspect) => inspect())) as Omit<
      EmulatorState,
      "tenant" | "users" | "groups"
    >),
  };
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? "localhost";
  const router = new Router();
  const clock = options.now ?? (() => new Date());
  const ctx: EmulatorContext = {
    baseUrl: "",
    tenant: options.tenant,
    key: new SigningKey(),
    groupsOverageLimit: options.groupsOverageLimit ?? 200,
    codes: new Map(),
    refreshTokens: new Map(),
    tlsCa: options.tls.ca,
    now: () => new Date(clock().getTime() + ctx.clockOffsetMs),
    clockOffsetMs: 0,
    settings: { ...DEFAULT_SERVICE_SETTINGS, ...options.settings },
    faults: [],
    inspectors: [],
    ...(options.scaleClusters ? { clusters: [...CLUSTERS, ...scaleClusters(options.scaleClusters)] } : {}),
    throttling: new Throttling(options.isThrottling ?? false),
  };
  registerOidc(router, ctx);
  registerWorkloadIdentity(router, ctx);
  registerApplicationsKnob(router, ctx);
  registerGraph(router, ctx);
  registerApplications(router, ctx);
  const logs = new LogStore();
  seedLogAnalytics(ctx, logs);
  const signIns = new SignInStore();
  registerArm(router, ctx, options.seeds, logs);
  registerLogAnalytics(router, ctx, logs);
  registerSignIns(router, ctx, signIns);
  if (options.demoActivity) registerDemoActivity(ctx, logs, signIns);
  registerGraphPim(router, ctx);
  registerFaults(router, ctx);
  registerCalls(router, ctx);
  registerThrottling(router, ctx.throttling, ctx.now);
  router.on("GET", "/_emulator/health", (_req, res) => sendJson(res, 200, { status: "ok" }));
  router.on("GET", "/_emulator/state", (_req, res) => sendJson(res, 200, state(ctx)));
  // Test knobs: e.g. a groups overage limit of 1 makes tokens point to Graph instead of listing groups;
  // the service settings (context.ts) tune PIM's minimum duration and replication delays. Any subset.
  router.on("PUT", "/_emulator/settings", (req, res) => {
    const wholeNumbers = [
      "groupsOverageLimit",
      ...(Object.keys(DEFAULT_SERVICE_SETTINGS) as Array<keyof ServiceSettings>),
    ];
    const invalid = wholeNumbers.find(
      (name) => req.body[name] !== undefined && !(Number.isInteger(req.body[name]) && Number(req.body[name]) >= 0),
    );
    if (invalid) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: `${invalid} must be a whole number` } });
    }
    if (req.body.groupsOverageLimit !== undefined) ctx.groupsOverageLimit = Number(req.body.groupsOverageLimit);
    for (const name of Object.keys(DEFAULT_SERVICE_SETTINGS) as Array<keyof ServiceSettings>) {
      if (req.body[name] !== undefined) ctx.settings[name] = Number(req.body[name]);
    }
    sendJson(res, 200, { groupsOverageLimit: ctx.groupsOverageLimit, ...ctx.settings });
  });
  // A user created now, e.g. to meet Entra's replication delay (principalReplicationDelaySeconds).
  router.on("POST", "/_emulator/users", (req, res) => {
    const { id, userPrincipalName, displayName, groupIds } = req.body as Record<string, unknown>;
    if (typeof userPrincipalName !== "string" || !userPrincipalName.includes("@")) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: "userPrincipalName is required" } });
    }
    try {
      const user = ctx.tenant.addUser(
        {
          id: typeof id === "string" ? id : randomUUID(),
          userPrincipalName,
          displayName: typeof displayName === "string" ? displayName : userPrincipalName,
          accountEnabled: true,
        },
        ctx.now(),
        Array.isArray(groupIds) ? groupIds.map(String) : [],
      );
      sendJson(res, 201, { ...user, createdDateTime: ctx.now().toISOString() });
    } catch (error) {
      sendJson(res, 409, { error: { code: "Conflict", message: String(error) } });
    }
  });
  router.on("DELETE", "/_emulator/users/:id", (req, res) => {
    if (!ctx.tenant.removeUser(req.params.id ?? "")) {
      return sendJson(res, 404, { error: { code: "NotFound", message: "no user created at runtime has this id" } });
    }
    res.writeHead(204).end();
  });
  // Moves the emulator's clock (offsetSeconds from real time, 0 to put it back): PIM's minimum active
  // duration and the replication delays are measured on it, as are token and assignment lifetimes.
  router.on("PUT", "/_emulator/clock", (req, res) => {
    const offset = req.body.offsetSeconds;
    if (typeof offset !== "number" || !Number.isFinite(offset)) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: "offsetSeconds must be a number" } });
    }
    ctx.clockOffsetMs = offset * 1000;
    sendJson(res, 200, { offsetSeconds: offset, now: ctx.now().toISOString() });
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
      // ... and within the path too: an empty `{parentResourcePath}` leaves "//" in ARM resource paths.
      url.pathname = url.pathname.replace(/\/{2,}/g, "/");
      if (!url.pathname.startsWith("/_emulator/") && (await applyFault(ctx, req.method ?? "GET", url, req, res)))
        return;
      if (
        !url.pathname.startsWith("/_emulator/") &&
        ctx.throttling.apply(req.method ?? "GET", url, req.headers.authorization, res, ctx.now().getTime())
      )
        return;
      const match = router.match(req.method ?? "GET", url.pathname);
      if (!match) {
        // ARM's paths get ARM's answers: 401s, api-version, namespace and resource type errors.
        if (isArmPath(url.pathname)) {
          const request = { method: req.method ?? "GET", url, headers: req.headers, params: {}, body: {} };
          return await armFallback(ctx)(request, res);
        }
        return sendGraphError(res, 404, "NotFound", `The emulator does not serve ${req.method} ${url.pathname}.`);
      }
      const body = req.method === "GET" || req.method === "HEAD" ? {} : await readBody(req);
      await match.handler({ method: req.method ?? "GET", url, headers: req.headers, params: match.params, body }, res);
    } catch (error) {
      console.error("[emulator] handler failed", error);
      if (!res.headersSent) sendJson(res, 500, { error: { code: "InternalServerError", message: String(error) } });
    }
  });
  // Longer than any pause of a busy test process between two calls, so that a client never reuses a
  // socket the emulator has just closed (an ECONNRESET that Azure's front ends, which keep idle
  // connections for minutes, would not cause either).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.baseUrl = `https://${host}:${port}`;
  return {
    url: ctx.baseUrl,
    context: ctx,
    routes: () => router.list(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
