/**
 * Who acts, from where, and when: the context every use case is called with. Below the features
 * and beside lib/auth, so that use cases, read models, the audit writer and the edges can all name
 * it without importing one another (it holds types only).
 */
import type { Authentication } from "@/lib/auth/authentication";
import type { RoleCheck } from "@/lib/auth/fresh-roles";
import type { Role } from "@/lib/auth/permissions";

/** The signed-in person, as a session (lib/auth/session.ts) or an API token (lib/api) resolved them. */
export interface SessionUser {
  id: string;
  entraObjectId: string;
  displayName: string;
  userPrincipalName: string;
  groupIds: string[];
  roles: Role[];
  /**
   * "current": roles from Entra membership read within ROLE_FRESHNESS_SECONDS (fresh-roles.ts);
   * "unavailable": Graph could not be read, so privileged roles are withheld. Absent for users made
   * up by scripts and tests.
   */
  roleCheck?: RoleCheck;
  sessionExpiresAt: Date;
  /** the IANA zone their browser reported (lib/domain/time-zone.ts); absent or null: times in UTC */
  timeZone?: string | null;
  /** how they proved who they are; absent for users made up by scripts and tests */
  authentication?: Authentication;
}

/** Where a user action came from, recorded with every event it causes. */
export interface RequestOrigin {
  /** the dashboard or the JSON API */
  channel?: "web" | "api";
  /** the client's IP address (lib/http/client-ip.ts), null when it could not be known; never unchecked text */
  ip?: string | null;
  userAgent?: string;
}

/** Passed to every use case by the page, action or route. */
export interface ActionContext {
  viewer: SessionUser;
  origin: RequestOrigin & { correlationId: string };
  now: Date;
}
