import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { env } from "@/lib/config/env";
import { db, type Prisma } from "@/lib/db/client";
import type { SessionUser } from "@/lib/context";
import { currentRoles } from "./fresh-roles";
import { seal, unseal } from "./sealed-cookie";

/**
 * Server-side sessions. The cookie holds a random token, encrypted; the database holds only the
 * token's SHA-256 with the user, their Entra groups and the session's times. Ending a session in
 * the database ends it everywhere, whatever cookies are still around.
 */

/** Session cookies are Secure except on http://localhost (APP_URL is checked at start-up). */
const isSecure = () => env.APP_URL.startsWith("https://");

/**
 * `__Host-` pins the cookie to this origin, but needs Secure: so only outside http://localhost.
 * A function, not a constant: the build imports this module without any configuration.
 */
export const sessionCookieName = () => (isSecure() ? "__Host-jit_session" : "jit_session");

export const SESSION_TIMEOUTS = {
  idleMs: env.SESSION_IDLE_MINUTES * 60_000,
  absoluteMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000,
};

/** lastSeenAt is written at most this often, so page views don't each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

export function sessionCookieOptions(expiresAt: Date) {
  return { httpOnly: true, secure: isSecure(), sameSite: "lax" as const, path: "/", expires: expiresAt };
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function roleGroupsFromEnv() {
  return { approver: env.APPROVER_GROUP_IDS, auditor: env.AUDITOR_GROUP_IDS, admin: env.ADMIN_GROUP_IDS };
}

export async function createSession(options: {
  userId: string;
  groupIds: string[];
  userAgent?: string;
  /** from the ID token's `auth_time` and `amr` */
  authTime: Date | null;
  authMethods: string[];
  now: Date;
  tx: Prisma.TransactionClient;
}) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(options.now.getTime() + SESSION_TIMEOUTS.absoluteMs);
  await options.tx.session.create({
    data: {
      id: hashToken(token),
      userId: options.userId,
      groupIds: options.groupIds,
      createdAt: options.now,
      lastSeenAt: options.now,
      absoluteExpiresAt: expiresAt,
      userAgent: options.userAgent?.slice(0, 300),
      authTime: options.authTime,
      authMethods: options.authMethods,
    },
  });
  const cookie = await seal(
    { sid: token },
    { secret: env.SESSION_SECRET, purpose: "session", expiresAt, now: options.now },
  );
  return { cookie, expiresAt };
}

async function tokenFromCookie(cookie: string, now: Date) {
  const payload = await unseal(cookie, { secret: env.SESSION_SECRET, purpose: "session", now });
  return typeof payload?.sid === "string" ? payload.sid : null;
}

/** The signed-in user for a cookie, or null if the cookie is invalid or the session has ended. */
export async function resolveSession(cookie: string, now: Date): Promise<SessionUser | null> {
  const token = await tokenFromCookie(cookie, now);
  if (!token) return null;
  const id = hashToken(token);
  const session = await db.session.findUnique({ where: { id }, include: { user: true } });
  if (!session || session.endedAt) return null;

  const endReason =
    now >= session.absoluteExpiresAt
      ? "absolute_timeout"
      : now.getTime() - session.lastSeenAt.getTime() > SESSION_TIMEOUTS.idleMs
        ? "idle_timeout"
        : null;
  if (endReason) {
    await db.session.updateMany({ where: { id, endedAt: null }, data: { endedAt: now, endReason } });
    return null;
  }
  const current = await currentRoles(session.user.entraObjectId, session.groupIds, roleGroupsFromEnv(), now);
  const isTouched = now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS;
  if (isTouched || current.hasChanged) {
    // The session keeps the groups its roles now rest on: a removal (or an addition) in Entra shows here too.
    await db.session.update({
      where: { id },
      data: {
        ...(isTouched ? { lastSeenAt: now } : {}),
        ...(current.hasChanged ? { groupIds: current.groupIds } : {}),
      },
    });
  }
  return {
    id: session.user.id,
    entraObjectId: session.user.entraObjectId,
    displayName: session.user.displayName,
    userPrincipalName: session.user.userPrincipalName,
    timeZone: session.user.timeZone,
    groupIds: current.groupIds,
    roles: current.roles,
    roleCheck: current.roleCheck,
    sessionExpiresAt: session.absoluteExpiresAt,
    authentication: {
      via: "session",
      authTime: session.authTime?.toISOString() ?? null,
      methods: session.authMethods,
      sessionStartedAt: session.createdAt.toISOString(),
    },
  };
}

/** Ends the session behind a cookie (sign-out). Returns whether a live session was ended. */
export async function endSession(cookie: string, now: Date): Promise<boolean> {
  const token = await tokenFromCookie(cookie, now);
  if (!token) return false;
  const id = hashToken(token);
  return db.$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { id }, include: { user: true } });
    if (!session || session.endedAt) return false;
    await tx.session.update({ where: { id }, data: { endedAt: now, endReason: "signed_out" } });
    await recordAuditEvent(tx, {
      type: "session.signed_out",
      actor: { id: session.user.id, userPrincipalName: session.user.userPrincipalName },
      subjectId: session.user.id,
      data: { sessionAgeSeconds: Math.round((now.getTime() - session.createdAt.getTime()) / 1000) },
      occurredAt: now,
    });
    return true;
  });
}
