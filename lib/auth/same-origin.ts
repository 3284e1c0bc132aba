import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";

/** A function, not a constant: the build imports this module without any configuration. */
export const appOrigin = () => new URL(env.APP_URL).origin;

/**
 * CSRF protection for changes made with the session cookie (the JSON API's POSTs and every server
 * action): browsers always send `Origin` on POST, and another site cannot make it ours. A missing
 * Origin, `null` (sandboxed frames, some redirects) or another site's is refused: SameSite=Lax alone
 * would still let a sibling subdomain through. `hint` says what the caller should do instead.
 */
export function assertSameOrigin(request: { method: string; headers: Headers }, hint: string) {
  const origin = request.headers.get("origin");
  if (origin === appOrigin()) return;
  throw new AppError("FORBIDDEN", {
    message: `cross-origin or origin-less ${request.method} with a session cookie (Origin: ${origin?.slice(0, 200) ?? "none"})`,
    userMessage: `Changes made with the session cookie must come from ${appOrigin()}: this request's Origin header is ${origin ? `"${origin.slice(0, 200)}"` : "missing"}, so it was refused to protect against cross-site request forgery. ${hint}`,
  });
}
