/* Log Analytics' query API (https://learn.microsoft.com/azure/azure-monitor/logs/api/overview), as
 * LogsQueryClient of @azure/monitor-query-logs calls it: POST /v1/workspaces/{customerId}/query
 * {query, timespan?} (GET with ?query= too) and POST /v1/$batch {requests:[{id, workspace, body,
 * path:"/query", method:"POST", headers?}]}.
 *
 * Answers (https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format):
 * {tables:[{name:"PrimaryResult", columns:[{name,type}], rows}]}, dynamic values as JSON text; with
 * `Prefer: include-statistics=true` a `statistics.query` object; a query that meets a limit (the row
 * limit, ServiceSettings.logAnalyticsMaxRows, 500,000 by default: https://learn.microsoft.com/azure/azure-monitor/service-limits#log-queries-and-language)
 * is 200 with the rows so far and an `error` (PartialError). Errors are the OneAPI envelope
 * {error:{message, code, correlationId, innererror?}} (https://learn.microsoft.com/azure/azure-monitor/logs/api/errors):
 * 401 AuthorizationRequiredError / InvalidTokenError, 403 InsufficientAccessError, 404
 * WorkspaceNotFoundError / PathNotFoundError, 400 BadArgumentError with a SyntaxError or
 * SemanticError inside.
 *
 * Authorization is Azure RBAC on the workspace (https://learn.microsoft.com/azure/azure-monitor/logs/manage-access):
 * Microsoft.OperationalInsights/workspaces/query/read, and per table
 * Microsoft.OperationalInsights/workspaces/query/{table}/read; Log Analytics Reader's `*\/read` allows
 * both (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#log-analytics-reader).
 * Throttling (200 per 30 s per principal) is throttling.ts's; faults (POST /_emulator/faults with a
 * path such as "^/v1/") apply as to any path. */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { z } from "zod";
import { isArmAllowed } from "../arm-common";
import { CLUSTERS, DEMO_SUBSCRIPTION_ID, type SeedCluster } from "../arm-seed";
import { issuerFor, type EmulatorContext } from "../context";
import { type EmulatorRequest, type Router, sendJson } from "../http";
import { clusterResourceId } from "../scale-seed";
import type { DirectoryUser } from "../tenant";
import { KqlError, parseQuery, runQuery, serialiseValue } from "./kql";
import {
  AUDIT_TABLE_NAMES,
  type AuditTableName,
  type AuditUser,
  type ClusterRef,
  type LogStore,
  type WorkspaceRecord,
  enabledCategories,
  workspaceResourceId,
} from "./store";

export const LOG_ANALYTICS_AUDIENCES = ["https://api.loganalytics.io", "https://api.loganalytics.io/"];

/** The demo workspace: every seeded cluster sends kube-audit and kube-audit-admin here (Dedicated). */
export const DEMO_WORKSPACE = {
  name: "law-aks-jit",
  subscriptionId: DEMO_SUBSCRIPTION_ID,
  resourceGroup: "rg-monitoring",
  location: "westeurope",
  customerId: "5c2f7a91-3d4e-4b8a-9f61-7e2d0c4b1a93",
};
export const DEMO_DIAGNOSTIC_SETTING = "audit-to-law-aks-jit";

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const laError = (status: number, code: string, message: string, innererror?: object): Answer => ({
  status,
  body: { error: { message, code, correlationId: randomUUID(), ...(innererror ? { innererror } : {}) } },
});

const badArgument = (innererror: object) =>
  laError(400, "BadArgumentError", "The request had some invalid properties", innererror);

export const clusterRef = (c: SeedCluster): ClusterRef => ({
  name: c.name,
  resourceId: clusterResourceId(c),
  subscriptionId: c.subscriptionId,
});

/** ISO 8601 interval (start/end, start/duration, duration/end) or duration (ending now), as the API takes it. */
export function parseTimespan(text: string, now: Date): { fromMs: number; toMs: number } | undefined {
  const duration = (d: string) => {
    const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(d);
    if (!m || d.toUpperCase() === "P" || d.toUpperCase() === "PT") return undefined;
    const [, days, hours, minutes, seconds] = m.map((x) => Number(x ?? 0));
    return (((days! * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000;
  };
  const date = (d: string) => {
    const t = Date.parse(d);
    return Number.isNaN(t) ? undefined : t;
  };
  const [a = "", b] = text.split("/");
  if (b === undefined) {
    const ms = duration(a);
    return ms === undefined ? undefined : { fromMs: now.getTime() - ms, toMs: now.getTime() };
  }
  const start = date(a);
  const end = date(b);
  if (start !== undefined && end !== undefined) return { fromMs: start, toMs: end };
  if (start !== undefined && duration(b) !== undefined) return { fromMs: start, toMs: start + duration(b)! };
  if (end !== undefined && duration(a) !== undefined) return { fromMs: end - duration(a)!, toMs: end };
  return undefined;
}

async function authenticate(ctx: EmulatorContext, header: string | undefined): Promise<JWTPayload | Answer> {
  const bearer = /^Bearer (.+)$/i.exec(header ?? "")?.[1];
  if (!bearer) return laError(401, "AuthorizationRequiredError", "Valid authentication was not provided");
  try {
    const token = await ctx.key.verify(bearer, { issuer: issuerFor(ctx) });
    const audiences = Array.isArray(token.aud) ? token.aud : [token.aud];
    if (!audiences.some((aud) => aud !== undefined && LOG_ANALYTICS_AUDIENCES.includes(aud))) {
      return laError(401, "InvalidTokenError", "The provided authentication is not valid for this resource", {
        code: "InvalidAudience",
        message: `The token's audience '${audiences.join(", ")}' is not https://api.loganalytics.io.`,
      });
    }
    return token;
  } catch {
    return laError(401, "InvalidTokenError", "The provided authentication is not valid for this resource");
  }
}

const preferences = (prefer: string | undefined) =>
  new Set(
    (prefer ?? "")
      .split(/[,;]/)
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean),
  );

/** One query against one workspace, for a caller already authenticated. */
export function executeQuery(
  ctx: EmulatorContext,
  store: LogStore,
  callerId: string,
  workspaceRef: string,
  body: Record<string, unknown>,
  prefer: string | undefined,
): Answer {
  const workspace = store.workspaceByCustomerId(workspaceRef) ?? store.workspace(workspaceRef);
  if (!workspace) {
    return laError(404, "WorkspaceNotFoundError", `The workspace ${workspaceRef} could not be found`);
  }
  const scope = workspaceResourceId(workspace);
  const insufficient = () =>
    laError(
      403,
      "InsufficientAccessError",
      "The provided credentials have insufficient access to perform the requested operation",
    );
  if (!isArmAllowed(ctx, callerId, "Microsoft.OperationalInsights/workspaces/query/read", scope)) return insufficient();
  const text = body.query;
  if (typeof text !== "string" || text.trim() === "") {
    return badArgument({ code: "QueryValidationError", message: "The query parameter is required" });
  }
  if (text.length > 100_000) {
    return badArgument({ code: "QueryValidationError", message: "The query is longer than 100,000 characters" });
  }
  let timespan: { fromMs: number; toMs: number } | undefined;
  if (typeof body.timespan === "string" && body.timespan !== "") {
    timespan = parseTimespan(body.timespan, ctx.now());
    if (!timespan) {
      return badArgument({
        code: "InvalidTimespan",
        message: `The timespan '${body.timespan}' is not a valid ISO 8601 interval or duration`,
      });
    }
  }
  try {
    const query = parseQuery(text);
    if (!isArmAllowed(ctx, callerId, `Microsoft.OperationalInsights/workspaces/query/${query.table}/read`, scope)) {
      return insufficient();
    }
    const table = AUDIT_TABLE_NAMES.includes(query.table as AuditTableName)
      ? workspace.tables.get(query.table as AuditTableName)
      : undefined;
    if (!table) {
      throw new KqlError("SemanticError", `'' operator: Failed to resolve table expression named '${query.table}'`, {
        code: "SEM0100",
      });
    }
    const started = performance.now();
    const result = runQuery(query, table.source(), { now: ctx.now(), timespan });
    // The limits: rows up to logAnalyticsMaxRows, then up to logAnalyticsMaxBytes of JSON; past
    // either, the rows so far and a partial error (https://learn.microsoft.com/azure/azure-monitor/service-limits#log-queries-and-language).
    const limit = ctx.settings.logAnalyticsMaxRows;
    const wire: unknown[][] = [];
    let bytes = 0;
    let exceeded: string | undefined;
    for (const row of result.rows) {
      if (wire.length >= limit) {
        exceeded = `Query result set has exceeded the internal record count limit ${limit} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)`;
        break;
      }
      const values = result.columns.map((c) => serialiseValue(row[c.name] ?? null, c.type));
      const size = JSON.stringify(values).length + 1;
      if (bytes + size > ctx.settings.logAnalyticsMaxBytes) {
        exceeded = `Query result set has exceeded the internal data size limit ${ctx.settings.logAnalyticsMaxBytes} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)`;
        break;
      }
      bytes += size;
      wire.push(values);
    }
    const answer: Record<string, unknown> = {
      tables: [
        {
          name: "PrimaryResult",
          columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
          rows: wire,
        },
      ],
    };
    if (exceeded) {
      answer.error = {
        code: "PartialError",
        message: "There were some errors when processing your query.",
        details: [
          {
            code: "EngineError",
            message: "Something went wrong processing your query on the server.",
            innererror: { code: "-2133196797", message: exceeded, severity: 2, severityName: "Error" },
          },
        ],
      };
    }
    if (preferences(prefer).has("include-statistics=true")) {
      answer.statistics = {
        query: {
          executionTime: (performance.now() - started) / 1000,
          resourceUsage: { cache: { memory: { hits: 0, misses: 0, total: 0 } }, cpu: { "query execution thread": 0 } },
          inputDatasetStatistics: {
            extents: { total: 1, scanned: 1 },
            rows: { total: table.rowCount, scanned: result.scanned },
          },
          datasetStatistics: [{ tableRowCount: wire.length, tableSize: bytes }],
        },
      };
    }
    return { status: 200, body: answer };
  } catch (error) {
    if (!(error instanceof KqlError)) throw error;
    if (error.kind === "SyntaxError") {
      const { line, pos, token } = error.detail;
      return badArgument({
        code: "SyntaxError",
        message: "A recognition error occurred in the query.",
        innererror: {
          code: "SYN0002",
          message: `Query could not be parsed at '${token}' on line [${line},${pos}]`,
          line,
          pos,
          token,
        },
      });
    }
    return badArgument({
      code: "SemanticError",
      message: "A semantic error occurred.",
      innererror: { code: error.detail.code, message: error.message },
    });
  }
}

function send(res: ServerResponse, answer: Answer) {
  sendJson(res, answer.status, answer.body, answer.headers);
}

export function registerLogAnalytics(router: Router, ctx: EmulatorContext, store: LogStore) {
  const single = async (req: EmulatorRequest, res: ServerResponse) => {
    const token = await authenticate(ctx, req.headers.authorization);
    if ("status" in token) return send(res, token as Answer);
    const callerId = String(token.oid ?? token.sub ?? "").toLowerCase();
    const body =
      req.method === "GET"
        ? { query: req.url.searchParams.get("query"), timespan: req.url.searchParams.get("timespan") ?? undefined }
        : req.body;
    const prefer = typeof req.headers.prefer === "string" ? req.headers.prefer : undefined;
    send(res, executeQuery(ctx, store, callerId, req.params.workspaceId ?? "", body, prefer));
  };
  router.on("POST", "/v1/workspaces/:workspaceId/query", single);
  router.on("GET", "/v1/workspaces/:workspaceId/query", single);
  // https://learn.microsoft.com/azure/azure-monitor/logs/api/batch-queries
  router.on("POST", "/v1/$batch", async (req, res) => {
    const token = await authenticate(ctx, req.headers.authorization);
    if ("status" in token) return send(res, token as Answer);
    const callerId = String(token.oid ?? token.sub ?? "").toLowerCase();
    const requests = req.body.requests;
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 10) {
      return send(res, badArgument({ code: "InvalidBatch", message: "A batch holds 1 to 10 requests" }));
    }
    const responses = requests.map((raw: unknown) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      const headers = (r.headers ?? {}) as Record<string, string>;
      const prefer = Object.entries(headers).find(([k]) => k.toLowerCase() === "prefer")?.[1];
      const answer =
        r.path !== "/query" || (r.method ?? "POST") !== "POST"
          ? laError(404, "PathNotFoundError", `The requested path does not exist`)
          : executeQuery(
              ctx,
              store,
              callerId,
              String(r.workspace ?? ""),
              (r.body ?? {}) as Record<string, unknown>,
              prefer,
            );
      return { id: r.id, status: answer.status, headers: {}, body: answer.body };
    });
    sendJson(res, 200, { responses });
  });
  router.on("POST", "/v1/:rest", (_req, res) =>
    send(res, laError(404, "PathNotFoundError", "The requested path does not exist")),
  );
  registerControl(router, ctx, store);
  ctx.inspectors.push(() => ({
    logAnalytics: {
      workspaces: [...store.workspaces.values()].map((w) => ({
        name: w.name,
        id: workspaceResourceId(w),
        customerId: w.customerId,
        tables: Object.fromEntries([...w.tables].map(([name, t]) => [name, t.rowCount])),
      })),
      diagnosticSettings: [...store.diagnostics].flatMap(([clusterId, settings]) =>
        [...settings.values()].map((s) => ({
          clusterId,
          name: s.name,
          workspaceId: s.workspaceId,
          categories: enabledCategories(s),
          destination: s.logAnalyticsDestinationType ?? "AzureDiagnostics",
        })),
      ),
      azureDiagnosticsRows: store.azureDiagnosticsRows,
    },
  }));
}

/** The clusters the emulator knows (the demo's and the scale seed's). */
export function clustersOf(ctx: EmulatorContext) {
  return ctx.clusters ?? CLUSTERS;
}

/** The demo seed: the workspace, and every cluster's diagnostic setting sending both audit categories to it. */
export function seedLogAnalytics(ctx: EmulatorContext, store: LogStore) {
  const workspace = store.addWorkspace(DEMO_WORKSPACE, ctx.now());
  for (const cluster of clustersOf(ctx)) {
    store.setDiagnostic(clusterResourceId(cluster), {
      name: DEMO_DIAGNOSTIC_SETTING,
      workspaceId: workspaceResourceId(workspace),
      logs: [
        { category: "kube-audit-admin", categoryGroup: null, enabled: true },
        { category: "kube-audit", categoryGroup: null, enabled: true },
      ],
      logAnalyticsDestinationType: "Dedicated",
    });
  }
}

/** The AKS User value for a principal of the tenant: a user by UPN and oid, a service principal by object id. */
export function auditUserOf(ctx: EmulatorContext, ref: string): AuditUser | undefined {
  const user: DirectoryUser | undefined = ctx.tenant.user(ref);
  const groups = (id: string) => [...ctx.tenant.transitiveGroupsOf(id).map((g) => g.id), "system:authenticated"];
  if (user) return { username: user.userPrincipalName, groups: groups(user.id), extra: { oid: [user.id] } };
  const app = ctx.tenant.applications.find(
    (a) => a.appId === ref.toLowerCase() || a.servicePrincipalId === ref.toLowerCase(),
  );
  if (app)
    return {
      username: app.servicePrincipalId,
      groups: groups(app.servicePrincipalId),
      extra: { oid: [app.servicePrincipalId] },
    };
  return undefined;
}

const ZIso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO date-time");
const ZName = z.string().min(1).max(253);
const ZCall = z.object({
  at: ZIso,
  verb: z.enum(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "proxy"]),
  resource: ZName,
  subresource: z.string().max(63).optional(),
  namespace: z.string().max(63).optional(),
  name: z.string().max(253).optional(),
  apiGroup: z.string().max(253).optional(),
  apiVersion: z.string().max(32).optional(),
  code: z.number().int().min(100).max(599).optional(),
  requestUri: z.string().max(2048).optional(),
  sourceIp: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
});
export const ZActivityBody = z.object({ cluster: ZName, user: ZName, calls: z.array(ZCall).max(100_000) });
export const ZGenerateBody = z.object({
  cluster: ZName,
  user: ZName,
  from: ZIso,
  to: ZIso,
  count: z.number().int().min(1).max(1_000_000),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
  sourceIp: z.string().max(64).optional(),
});
export const ZDiagnosticsBody = z.object({
  categories: z.array(z.string().min(1)).max(20),
  destination: z.enum(["Dedicated", "AzureDiagnostics"]).default("Dedicated"),
  workspace: ZName.optional(),
});
export const ZWorkspaceBody = z.object({
  tables: z.array(z.enum(AUDIT_TABLE_NAMES)).optional(),
  customerId: z.uuid().optional(),
  resourceGroup: ZName.optional(),
});

const badRequest = (res: ServerResponse, message: string) =>
  sendJson(res, 400, { error: { code: "BadRequest", message } });

function registerControl(router: Router, ctx: EmulatorContext, store: LogStore) {
  const cluster = (name: string) => clustersOf(ctx).find((c) => c.name.toLowerCase() === name.toLowerCase());
  const resolve = (res: ServerResponse, clusterName: string, userRef: string) => {
    const c = cluster(clusterName);
    if (!c)
      return void sendJson(res, 404, { error: { code: "NotFound", message: `no cluster is named ${clusterName}` } });
    const user = auditUserOf(ctx, userRef);
    if (!user)
      return void sendJson(res, 404, {
        error: { code: "NotFound", message: `no user or service principal is ${userRef}` },
      });
    return { cluster: clusterRef(c), user };
  };
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  router.on("POST", "/_emulator/activity", (req, res) => {
    const parsed = ZActivityBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, z.prettifyError(parsed.error));
    const target = resolve(res, parsed.data.cluster, parsed.data.user);
    if (!target) return;
    const calls = parsed.data.calls.map((c) => ({ ...c, at: new Date(c.at) }));
    const tables = store.appendCalls(target.cluster, target.user, calls);
    sendJson(res, 201, { rows: total(tables), tables });
  });
  router.on("POST", "/_emulator/activity/generate", (req, res) => {
    const parsed = ZGenerateBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, z.prettifyError(parsed.error));
    const { from, to, count, seed, sourceIp } = parsed.data;
    if (Date.parse(to) <= Date.parse(from)) return badRequest(res, "to must be after from");
    const target = resolve(res, parsed.data.cluster, parsed.data.user);
    if (!target) return;
    const tables = store.generate(target.cluster, target.user, {
      fromMs: Date.parse(from),
      toMs: Date.parse(to),
      count,
      seed: seed ?? 1,
      sourceIp: sourceIp ?? "10.224.0.4",
    });
    sendJson(res, 201, { rows: total(tables), tables });
  });
  router.on("DELETE", "/_emulator/activity", (_req, res) => {
    store.clearRows();
    res.writeHead(204).end();
  });
  // Replaces the cluster's diagnostic settings with one (or none, for no categories), as
  // `az monitor diagnostic-settings create/delete` would.
  router.on("PUT", "/_emulator/clusters/:name/diagnostics", (req, res) => {
    const parsed = ZDiagnosticsBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, z.prettifyError(parsed.error));
    const c = cluster(req.params.name ?? "");
    if (!c)
      return sendJson(res, 404, { error: { code: "NotFound", message: `no cluster is named ${req.params.name}` } });
    const workspace = store.workspace(parsed.data.workspace ?? DEMO_WORKSPACE.name);
    if (!workspace) return sendJson(res, 404, { error: { code: "NotFound", message: "no such workspace" } });
    const id = clusterResourceId(c);
    store.diagnostics.delete(id.toLowerCase());
    if (parsed.data.categories.length > 0) {
      store.setDiagnostic(id, {
        name: `audit-to-${workspace.name}`,
        workspaceId: workspaceResourceId(workspace),
        logs: parsed.data.categories.map((category) => ({ category, categoryGroup: null, enabled: true })),
        logAnalyticsDestinationType: parsed.data.destination,
      });
    }
    sendJson(res, 200, { cluster: c.name, settings: [...(store.diagnostics.get(id.toLowerCase())?.values() ?? [])] });
  });
  // Creates or changes a workspace; `tables` sets exactly which tables it has (rows of others are dropped).
  router.on("PUT", "/_emulator/workspaces/:name", (req, res) => {
    const parsed = ZWorkspaceBody.safeParse(req.body);
    if (!parsed.success) return badRequest(res, z.prettifyError(parsed.error));
    const name = req.params.name ?? "";
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,62}$/.test(name))
      return badRequest(res, "a workspace name is 4 to 63 letters, digits or hyphens");
    let workspace: WorkspaceRecord | undefined = store.workspace(name);
    if (!workspace) {
      workspace = store.addWorkspace(
        {
          name,
          subscriptionId: DEMO_SUBSCRIPTION_ID,
          resourceGroup: parsed.data.resourceGroup ?? DEMO_WORKSPACE.resourceGroup,
          location: "westeurope",
          customerId: parsed.data.customerId ?? randomUUID(),
        },
        ctx.now(),
      );
    }
    if (parsed.data.tables) {
      for (const t of [...workspace.tables.keys()]) if (!parsed.data.tables.includes(t)) workspace.tables.delete(t);
      for (const t of parsed.data.tables) store.table(workspace, t);
    }
    sendJson(res, 200, {
      name: workspace.name,
      id: workspaceResourceId(workspace),
      customerId: workspace.customerId,
      tables: [...workspace.tables.keys()],
    });
  });
}
