import { randomUUID } from "node:crypto";
import type { ActionContext } from "@/lib/context";
import { clientIp } from "@/lib/http/client-ip";

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
    // Validated, and from X-Forwarded-For only through a trusted proxy (TRUSTED_PROXIES).
    ip: clientIp(headers),
    userAgent: headers.get("user-agent")?.slice(0, 300) || undefined,
  };
}
