import { AppError } from "@/lib/errors";
import { can, type Permission, type Role } from "./permissions";

/** The check every lib read and write starts with; pages may check too, but this one always runs. */
export function authorize(viewer: { roles: readonly Role[]; userPrincipalName: string }, permission: Permission) {
  if (!can(viewer.roles, permission)) {
    throw new AppError("FORBIDDEN", {
      message: `${viewer.userPrincipalName} lacks ${permission}`,
      userMessage: "You don't have permission to do this. Ask a platform admin for the group that grants it.",
    });
  }
}
