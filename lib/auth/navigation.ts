import { can, type Permission, type Role } from "./permissions";

/** The dashboard's sections, each behind one permission; the nav shows only what the user may open. */
export const SECTIONS: Array<{ href: string; label: string; permission: Permission }> = [
  { href: "/access", label: "My access", permission: "access.request" },
  { href: "/approvals", label: "Approvals", permission: "request.approve" },
  { href: "/audit", label: "Audit", permission: "audit.read" },
  { href: "/admin", label: "Admin", permission: "catalog.admin" },
];

export function sectionsFor(roles: readonly Role[]) {
  return SECTIONS.filter((section) => can(roles, section.permission)).map(({ href, label }) => ({ href, label }));
}
