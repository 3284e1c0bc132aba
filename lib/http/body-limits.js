// @ts-check
/**
 * How large a request body may be, in one place: the JSON API (lib/api/input.ts), server actions
 * (Next's `serverActions.bodySizeLimit` and proxy.ts) and what Next buffers for the proxy
 * (`proxyClientMaxBodySize`). Plain JavaScript so that next.config.js can import it.
 */

/** JSON API bodies: far above any valid one (justification and comment stop at 2000 characters). */
export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/** Server action bodies (Next's default, 1 MB): the largest form is a few kilobytes. */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * What Next buffers of a body for the proxy and hands on to the route (it cuts off the rest and
 * only drains it). Above both limits, so that whatever passes it is refused by them, never cut
 * silently: a body over SERVER_ACTION_BODY_LIMIT_BYTES still shows more than that many bytes here.
 */
export const PROXY_BODY_BUFFER_BYTES = 2 * SERVER_ACTION_BODY_LIMIT_BYTES;

/** "64 KiB", "1 MiB": a limit in the words of an error message. */
export function describeBytes(/** @type {number} */ bytes) {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
