/**
 * The checks every server action gets before Next runs it, from proxy.ts: Next's own answer to a
 * foreign Origin and to a body over `serverActions.bodySizeLimit` is a 500, and it lets a request
 * without Origin through. Here they are a 403 and a 413, in the JSON API's error shape.
 */
import { assertSameOrigin } from "@/lib/auth/same-origin";
import { AppError, expectedErrorOf } from "@/lib/errors";
import { describeBytes, SERVER_ACTION_BODY_LIMIT_BYTES } from "./body-limits.js";

/**
 * What Next treats as a server action (app-render/action-handler): a POST naming its action in the
 * `Next-Action` header (the client router's calls) or a multipart form post (forms sent before the
 * page's JavaScript has loaded).
 */
export function isServerActionRequest(request: Request) {
  if (request.method.toUpperCase() !== "POST") return false;
  const contentType = request.headers.get("content-type")?.toLowerCase() ?? "";
  return request.headers.has("next-action") || contentType.startsWith("multipart/form-data");
}

const tooLarge = () =>
  new AppError("PAYLOAD_TOO_LARGE", {
    message: `server action body over ${SERVER_ACTION_BODY_LIMIT_BYTES} bytes`,
    userMessage: `This form sent more than the limit of ${describeBytes(SERVER_ACTION_BODY_LIMIT_BYTES)}: shorten what you typed and send it again.`,
  });

/** Counts a chunked body as it arrives, keeping none of it, until it passes `limit`. */
async function isLongerThan(body: ReadableStream<Uint8Array>, limit: number) {
  const reader = body.getReader();
  let size = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      size += next.value.byteLength;
      if (size > limit) return true;
    }
    return false;
  } finally {
    reader.releaseLock();
  }
}

async function check(request: Request) {
  assertSameOrigin(request, "Reload the page from the dashboard's address and try again.");
  const declared = request.headers.get("content-length");
  // Node's HTTP parser holds a body to its Content-Length; only a chunked body needs counting, and
  // what the proxy is shown of it is bounded by `proxyClientMaxBodySize` (next.config.js).
  const isTooLarge =
    declared !== null
      ? Number(declared) > SERVER_ACTION_BODY_LIMIT_BYTES
      : request.body !== null && (await isLongerThan(request.body, SERVER_ACTION_BODY_LIMIT_BYTES));
  if (isTooLarge) throw tooLarge();
}

/** The refusal of an unsafe server action request, or undefined to let it through. */
export async function refuseUnsafeServerAction(request: Request): Promise<Response | undefined> {
  if (!isServerActionRequest(request)) return undefined;
  try {
    await check(request);
    return undefined;
  } catch (error) {
    const expected = expectedErrorOf(error);
    if (!expected) throw error;
    return Response.json(
      { error: { code: expected.code, message: expected.userMessage } },
      { status: expected.status, headers: { "cache-control": "no-store" } },
    );
  }
}
