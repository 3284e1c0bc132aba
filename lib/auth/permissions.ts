/**
 * Who may do what: the one table the app consults for every page, action, query and API route.
 * Roles come from Entra group membership (group ids in configuration); everyone signed in is a
 * requester. Pure: no I/O, so pages, lib queries and tests share it.
 */
export const ROLES = ["requester", "approver", "auditor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** see what one is eligible for, request access, see one's own requests */
  "access.request": ["requester"],
  /** decide requests routed to one's approver groups (never one's own) */
  "request.approve": ["approver"],
  /** read and export the whole audit history */
  "audit.read": ["auditor", "admin"],
  /**
   * open the break-glass review queue; which requests one may review (those routed to one's approver
   * groups, or any for auditors, never one's own) is lib/domain/break-glass-review.ts's answer
   */
  "break_glass.review": ["approver", "auditor", "admin"],
  /** read a request's Kubernetes activity and node sign-ins again now ("Check activity now") */
  "activity.check": ["auditor", "admin"],
  /** the access catalog, health, failed jobs, drift */
  "catalog.admin": ["admin"],
  /** revoke anyone's access, retry failed activations and jobs, remove or re-apply drift */
  "access.administer": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export interface RoleGroups {
  approver: readonly string[];
  auditor: readonly string[];
  admin: readonly string[];
}

export function rolesFor(groupIds: readonly string[], roleGroups: RoleGroups): Role[] {
  const member = new Set(groupIds.map((id) => id.toLowerCase()));
  const isIn = (ids: readonly string[]) => ids.some((id) => member.has(id.toLowerCase()));
  return ROLES.filter((role) => role === "requester" || isIn(roleGroups[role]));
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => allowed.includes(role));
}

/** Words for the 403 page and the navigation: who a permission is for. */
export const PERMISSION_AUDIENCE: Record<Permission, string> = {
  "access.request": "everyone who is signed in",
  "request.approve": "members of an approver group",
  "audit.read": "members of the auditors group and platform admins",
  "break_glass.review": "members of an approver group, the auditors group and platform admins",
  "activity.check": "members of the auditors group and platform admins",
  "catalog.admin": "platform admins (the jit-admins group)",
  "access.administer": "platform admins (the jit-admins group)",
};
