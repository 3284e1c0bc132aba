/* Small HTTP toolkit for the emulator: a router, body parsing, and the error shapes of the
 * services it imitates (Entra's token errors, Graph's error envelope). */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  params: Record<string, string>;
  /** form or JSON body, flattened to strings for form bodies */
  body: Record<string, unknown>;
  /** the path template of the route serving the request, as registered (e.g. `/v1.0/users/:id`) */
  route?: string;
}

export type Handler = (req: EmulatorRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /**
   * `path` uses `:name` segments, or `:name` inside a segment for OData keys such as
   * `applications(appId=':appId')`, whose quotes also match `%27`.
   */
  on(method: string, path: string, handler: Handler) {
    const keys: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          keys.push(segment.slice(1));
          return "([^/]+)";
        }
        return segment
          .split(/(:[A-Za-z]\w*)/)
          .map((part, i) => {
            if (i % 2 === 1) {
              keys.push(part.slice(1));
              return "([^/']+?)";
            }
            return part.replace(/[.()$]/g, (c) => `\\${c}`).replaceAll("'", "(?:'|%27)");
          })
          .join("");
      })
      .join("/");
    this.routes.push({ method, path, pattern: new RegExp(`^${source}/?$`, "i"), keys, handler });
    return this;
  }

  /** Every registered route's method and path template (tests check each Graph route has a permission row). */
  list(): Array<{ method: string; path: string }> {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  match(method: string, pathname: string) {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1] ?? "")));
      const handler: Handler = (req, res) => {
        setRequestIdHeaders(res);
        return route.handler({ ...req, route: route.path }, res);
      };
      return { handler, params };
    }
    return undefined;
  }
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * Graph (`request-id`, and `client-request-id` echoed) and ARM (`x-ms-request-id`) name every answer,
 * successes and 204s included, for support cases and the audit history. Set before the handler runs,
 * so that headers given to writeHead (an error's own id) take precedence.
 */
function setRequestIdHeaders(res: ServerResponse) {
  if (res.headersSent || res.hasHeader("request-id") || res.hasHeader("x-ms-request-id")) return;
  const path = (res.req?.url ?? "").replace(/^\/+/, "/");
  const requestId = randomUUID();
  if (path.startsWith("/subscriptions") || path.includes("/providers/")) {
    res.setHeader("x-ms-request-id", requestId);
    res.setHeader("x-ms-correlation-request-id", requestId);
  } else if (/^\/(v1\.0|beta)\//i.test(path)) {
    const clientRequestId = res.req?.headers["client-request-id"];
    res.setHeader("request-id", requestId);
    res.setHeader("client-request-id", typeof clientRequestId === "string" ? clientRequestId : requestId);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  setRequestIdHeaders(res);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string) {
  res.writeHead(302, { Location: location, "Cache-Control": "no-store" });
  res.end();
}

export function stringParam(source: Record<string, unknown> | URLSearchParams, key: string): string | undefined {
  const value = source instanceof URLSearchParams ? source.get(key) : source[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Entra ID's OAuth error body (what MSAL turns into ServerError / InteractionRequiredAuthError). */
export function entraError(error: string, aadsts: number, description: string, suberror?: string) {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    ...(suberror ? { suberror } : {}),
  };
}

export function sendEntraError(
  res: ServerResponse,
  status: number,
  error: string,
  aadsts: number,
  description: string,
  suberror?: string,
) {
  sendJson(res, status, entraError(error, aadsts, description, suberror));
}

/** Microsoft Graph's error envelope. */
export function sendGraphError(res: ServerResponse, status: number, code: string, message: string) {
  const requestId = randomUUID();
  sendJson(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          "request-id": requestId,
          "client-request-id": requestId,
        },
      },
    },
    { "request-id": requestId, "client-request-id": requestId },
  );
}

export function escapeHtml(value: string) {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
