import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { can, type Permission } from "./permissions";
import { recordRefusal } from "./refusals";
import { originFromHeaders } from "./request-origin";
import { sessionCookieName, resolveSession } from "./session";
import type { SessionUser } from "@/lib/context";

/** The signed-in user for this request (read once per request), or null. */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const cookie = (await cookies()).get(sessionCookieName())?.value;
  return cookie ? resolveSession(cookie, new Date()) : null;
});

/** For pages: the signed-in user, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect(`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
  return user;
}

/**
 * For pages: the signed-in user if the permissions table allows `permission`, else a 403 page (which
 * says so when Graph could not confirm the roles). A refusal for lack of the role is audited.
 */
export async function requirePermission(permission: Permission, returnTo: string): Promise<SessionUser> {
  const user = await requireUser(returnTo);
  if (can(user.roles, permission)) return user;
  if (user.roleCheck !== "unavailable") {
    const origin = originFromHeaders(await headers(), "web");
    await recordRefusal(
      { viewer: user, origin, now: new Date() },
      { kind: "page.open", permission, reason: `${user.userPrincipalName} lacks ${permission}`, path: returnTo },
    );
  }
  forbidden();
}
