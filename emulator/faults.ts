/* Fault injection, so that retries, throttling and outages can be tested against the real SDKs:
 * POST /_emulator/faults {path, method?, count, status?, retryAfter?, latencyMs?, drop?, afterHandling?, probability?} adds one
 * (path is a regular expression over path + query), GET lists them, DELETE clears them all. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorContext, Fault } from "./context";
import { type Router, sendGraphError, sendJson } from "./http";

const isArm = (url: URL) => url.pathname.startsWith("/subscriptions") || url.pathname.includes("/providers/");

const STATUS_CODES: Record<number, string> = {
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

export function registerFaults(router: Router, ctx: EmulatorContext) {
  router.on("GET", "/_emulator/faults", (_req, res) => sendJson(res, 200, { faults: ctx.faults }));
  router.on("DELETE", "/_emulator/faults", (_req, res) => {
    ctx.faults.length = 0;
    sendJson(res, 200, { faults: [] });
  });
  router.on("POST", "/_emulator/faults", (req, res) => {
    const b = req.body;
    const fault: Fault = {
      id: randomUUID(),
      path: typeof b.path === "string" ? b.path : "",
      method: typeof b.method === "string" ? b.method.toUpperCase() : undefined,
      count: Number(b.count ?? 1),
      status: b.status === undefined ? undefined : Number(b.status),
      retryAfter: b.retryAfter === undefined ? undefined : Number(b.retryAfter),
      latencyMs: b.latencyMs === undefined ? undefined : Number(b.latencyMs),
      drop: b.drop === true,
      afterHandling: b.afterHandling === true,
      probability: b.probability === undefined ? undefined : Number(b.probability),
    };
    if (fault.probability !== undefined && !(fault.probability > 0 && fault.probability <= 1)) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: "probability must be in (0, 1]" } });
    }
    try {
      new RegExp(fault.path);
    } catch {
      return sendJson(res, 400, { error: { code: "BadRequest", message: "path must be a regular expression" } });
    }
    if (!fault.path || !Number.isInteger(fault.count) || fault.count < 1) {
      return sendJson(res, 400, {
        error: { code: "BadRequest", message: "path and a count of at least 1 are required" },
      });
    }
    if (fault.status === undefined && fault.latencyMs === undefined && !fault.drop) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: "give a status, latencyMs or drop" } });
    }
    ctx.faults.push(fault);
    sendJson(res, 201, fault);
  });
}

/** Applies the first matching fault, if any; returns true when the request was answered (or dropped). */
export async function applyFault(
  ctx: EmulatorContext,
  method: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const target = `${url.pathname}${url.search}`;
  const fault = ctx.faults.find((f) => (!f.method || f.method === method) && new RegExp(f.path).test(target));
  if (!fault) return false;
  if (fault.probability !== undefined && Math.random() >= fault.probability) return false;
  fault.count -= 1;
  if (fault.count <= 0) ctx.faults.splice(ctx.faults.indexOf(fault), 1);
  if (fault.afterHandling) {
    if (fault.status !== undefined) return false;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (fault.drop) req.socket.destroy();
      else setTimeout(() => end(...args), fault.latencyMs ?? 0);
      return res;
    }) as ServerResponse["end"];
    return false;
  }
  if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
  if (fault.drop) {
    req.socket.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  const headers: Record<string, string> =
    fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {};
  const code = STATUS_CODES[fault.status] ?? "Fault";
  const message = fault.status === 429 ? "Please retry again later." : "Injected fault.";
  if (isArm(url)) {
    sendJson(res, fault.status, { error: { code, message } }, headers);
  } else {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    sendGraphError(res, fault.status, code, message);
  }
  return true;
}
