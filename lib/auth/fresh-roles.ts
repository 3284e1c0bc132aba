import "server-only";
import { liveGroupIds } from "@/lib/cloud/directory";
import { env } from "@/lib/config/env";
import { log } from "@/lib/log";
import { rolesFor, type Role } from "./permissions";

/**
 * The one place that decides which roles a viewer has now. Roles come from Entra group membership,
 * and a membership older than ROLE_FRESHNESS_SECONDS is read again from Graph (transitiveMemberOf,
 * with the app's GroupMember.Read.All), so that a person removed from the admin, auditor or approver
 * group loses what it gave at their next request after the bound: on pages, in server actions and
 * on the API, with a session cookie or a bearer token. Both viewer builders (resolveSession and
 * userFromAccessToken) call `currentRoles`; nothing else derives roles from a session's groups.
 *
 * The cache is per process: each replica reads at most once per person per bound, and the bound is
 * the guarantee whichever replica answers. When Graph cannot be read, privileged roles are withheld
 * (fail closed) and the viewer is marked `roleCheck: "unavailable"`, so that refusals say why;
 * what every signed-in person may do goes on working with the groups last known.
 */

interface Known {
  groupIds: string[];
  /** when the groups were read (ms since the epoch, by the caller's clock) */
  readAt: number;
}

// On globalThis: Next bundles each route separately, and every copy of this module should share one
// cache per process.
const STORE = Symbol.for("aks-jit.auth.fresh-groups");
const holder = globalThis as {
  [STORE]?: {
    known: Map<string, Known>;
    reading: Map<string, { groupIds: Promise<string[]>; startedAt: number }>;
    failedAt: Map<string, number>;
  };
};
const store = () => (holder[STORE] ??= { known: new Map(), reading: new Map(), failedAt: new Map() });

/** After a failed read, a person's next requests wait this long before asking Graph again (outage, throttling). */
const RETRY_AFTER_FAILURE_MS = 5_000;

/** Above this many people, entries past the bound are dropped when one is added. */
const SWEEP_ABOVE = 10_000;

const boundMs = () => env.ROLE_FRESHNESS_SECONDS * 1000;

function remember(key: string, known: Known) {
  const { known: cache } = store();
  cache.set(key, known);
  if (cache.size <= SWEEP_ABOVE) return;
  for (const [other, entry] of cache) if (known.readAt - entry.readAt >= boundMs()) cache.delete(other);
}

/** Groups just read by sign-in (the token's claim or Graph): fresh now, so the next request need not ask again. */
export function rememberGroups(entraObjectId: string, groupIds: readonly string[], now: Date) {
  remember(entraObjectId.toLowerCase(), { groupIds: groupIds.map((g) => g.toLowerCase()), readAt: now.getTime() });
}

/**
 * The person's groups, read no longer than the bound before `now`; null if Graph could not be read.
 * Concurrent requests of one person share one read.
 */
export async function currentGroupIds(entraObjectId: string, now: Date): Promise<string[] | null> {
  const key = entraObjectId.toLowerCase();
  const { known, reading, failedAt } = store();
  const entry = known.get(key);
  if (entry && now.getTime() - entry.readAt < boundMs()) return entry.groupIds;
  const failed = failedAt.get(key);
  if (failed !== undefined && now.getTime() - failed >= 0 && now.getTime() - failed < RETRY_AFTER_FAILURE_MS)
    return null;
  let read = reading.get(key);
  if (!read) {
    read = { groupIds: liveGroupIds(key).finally(() => reading.delete(key)), startedAt: now.getTime() };
    reading.set(key, read);
  }
  try {
    const groupIds = await read.groupIds;
    // As old as the moment the read began, not the moment this caller joined it.
    remember(key, { groupIds, readAt: read.startedAt });
    failedAt.delete(key);
    return groupIds;
  } catch (error) {
    failedAt.set(key, now.getTime());
    log.warn({ entraObjectId: key, err: error instanceof Error ? error.message : String(error) }, "roles unverified");
    return null;
  }
}

/** "current": roles from membership within the bound; "unavailable": Graph did not answer, privileged roles withheld. */
export type RoleCheck = "current" | "unavailable";

export interface CurrentRoles {
  groupIds: string[];
  roles: Role[];
  roleCheck: RoleCheck;
  /** the groups differ from `knownGroupIds`: the caller should store them (a session's groups) */
  hasChanged: boolean;
}

const sameGroups = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(a.map((g) => g.toLowerCase()));
  return set.size === new Set(b.map((g) => g.toLowerCase())).size && b.every((g) => set.has(g.toLowerCase()));
};

/**
 * A viewer's groups and roles now. `knownGroupIds` are the groups last stored (a session's) or
 * stated (a bearer token's claim); they stand in for non-privileged use when Graph is down.
 */
export async function currentRoles(
  entraObjectId: string,
  knownGroupIds: readonly string[],
  roleGroups: Parameters<typeof rolesFor>[1],
  now: Date,
): Promise<CurrentRoles> {
  const fresh = await currentGroupIds(entraObjectId, now);
  if (!fresh) {
    return {
      groupIds: [...knownGroupIds],
      roles: rolesFor([], roleGroups),
      roleCheck: "unavailable",
      hasChanged: false,
    };
  }
  return {
    groupIds: fresh,
    roles: rolesFor(fresh, roleGroups),
    roleCheck: "current",
    hasChanged: !sameGroups(fresh, knownGroupIds),
  };
}
