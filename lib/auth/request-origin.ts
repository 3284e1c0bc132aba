import { randomUUID } from "node:crypto";
import type { ActionContext } from "@/lib/access/context";

/** Characters a caller's correlation id may use: it is echoed in a header and stored in the audit. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]+$/;

/**
 * Where a user action came from, from its request headers: the dashboard's server actions pass
 * `headers()`, the API the standard Request's headers. A caller's `x-correlation-id` ties its own
 * logs to ours; anything unusable in it is replaced by a fresh id rather than refused.
 */
export function originFromHeaders(headers: Headers, channel: "web" | "api"): ActionContext["origin"] {
  const offered = headers.get("x-correlation-id")?.trim().slice(0, 64);
  return {
    correlationId: offered && CORRELATION_ID.test(offered) ? offered : randomUUID(),
    channel,
    // The first hop of X-Forwarded-For is the client when the app sits behind a proxy.
    ip: headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip")?.trim() || undefined,
    userAgent: headers.get("user-agent")?.slice(0, 300) || undefined,
  };
}
