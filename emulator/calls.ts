/* A log of the calls the emulator served, so that a test can count what the app did at the services
 * (one PIM assignment per approval, one role assignment removed per ended grant...) however many
 * processes made them. GET /_emulator/calls lists them with counts per method, path and PIM action;
 * DELETE /_emulator/calls empties the log. A call is logged when its handler runs (after any injected
 * latency): a call whose client went away meanwhile is still served, and still counted. */
import type { EmulatorContext } from "./context";
import { type EmulatorRequest, type Router, sendJson } from "./http";

export interface ServedCall {
  method: string;
  /** the path with every id (GUID) as `{id}`, without the query */
  path: string;
  /** a PIM schedule request's `action` (adminAssign, adminRemove ...) */
  action: string | null;
  /** the user or group the call is about, when the call names one */
  principalId: string | null;
  /** the answer's status, once the handler has run */
  status: number | null;
  at: string;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function normalisePath(pathname: string) {
  return pathname.replace(GUID, "{id}");
}

const stringAt = (value: unknown, ...keys: string[]): string | null => {
  let current = value;
  for (const key of keys) current = (current as Record<string, unknown> | null | undefined)?.[key];
  return typeof current === "string" ? current : null;
};

/**
 * Who a call is about: PIM bodies name the principal (ARM bodies inside `properties`), a user's own
 * endpoints carry it in the path, and a DELETE is about whoever the PUT of that resource named.
 */
export function principalOf(req: Pick<EmulatorRequest, "method" | "url" | "body">, named: Map<string, string>) {
  const resource = req.url.pathname.toLowerCase();
  const fromBody =
    stringAt(req.body, "principalId") ??
    stringAt(req.body, "properties", "principalId") ??
    stringAt(req.body, "@odata.id")?.match(GUID)?.at(-1) ??
    null;
  if (fromBody) {
    if (req.method === "PUT") named.set(resource, fromBody.toLowerCase());
    return fromBody.toLowerCase();
  }
  const member = /\/members\/([^/]+)\/\$ref$/i.exec(req.url.pathname)?.[1];
  const user = /^\/v1\.0\/users\/([^/]+)\//i.exec(req.url.pathname)?.[1];
  return (member ?? user)?.toLowerCase() ?? named.get(resource) ?? null;
}

export function registerCalls(router: Router, ctx: EmulatorContext) {
  const calls: ServedCall[] = [];
  const named = new Map<string, string>();
  router.on("GET", "/_emulator/calls", (_req, res) => {
    const counts: Record<string, number> = {};
    for (const call of calls) {
      const key = [call.method, call.path, call.action].filter(Boolean).join(" ");
      counts[key] = (counts[key] ?? 0) + 1;
    }
    sendJson(res, 200, { counts, calls });
  });
  router.on("DELETE", "/_emulator/calls", (_req, res) => {
    calls.length = 0;
    sendJson(res, 200, { counts: {}, calls: [] });
  });

  // Every route is matched here, so the log sits in front of all of them without each module knowing.
  const match = router.match.bind(router);
  router.match = (method, pathname) => {
    const found = match(method, pathname);
    if (!found || pathname.startsWith("/_emulator/")) return found;
    return {
      params: found.params,
      handler: async (req, res) => {
        const call: ServedCall = {
          method: req.method,
          path: normalisePath(req.url.pathname),
          action: stringAt(req.body, "action") ?? stringAt(req.body, "properties", "requestType"),
          principalId: principalOf(req, named),
          status: null,
          at: ctx.now().toISOString(),
        };
        calls.push(call);
        try {
          await found.handler(req, res);
        } finally {
          call.status = res.statusCode;
        }
      },
    };
  };
}
