import { AppError } from "@/lib/errors";
import { can, type Permission, type Role } from "./permissions";

/** Said when privileged roles were withheld because Graph could not be read (fresh-roles.ts). */
export const ROLES_UNVERIFIED_MESSAGE =
  "Your current Entra group membership could not be checked with Microsoft Graph, so actions that need the approver, auditor or admin role are paused; nothing was done. Try again in a minute; if it keeps failing, tell your AKS JIT administrator.";

/** The check every lib read and write starts with; pages may check too, but this one always runs. */
export function authorize(
  viewer: { roles: readonly Role[]; userPrincipalName: string; roleCheck?: "current" | "unavailable" },
  permission: Permission,
) {
  if (can(viewer.roles, permission)) return;
  // Fail closed, but say why: the person may well hold the role, Graph just could not confirm it.
  if (viewer.roleCheck === "unavailable") {
    throw new AppError("UPSTREAM", {
      message: `${viewer.userPrincipalName} lacks ${permission}: roles unverified (Graph unavailable)`,
      userMessage: ROLES_UNVERIFIED_MESSAGE,
    });
  }
  throw new AppError("FORBIDDEN", {
    message: `${viewer.userPrincipalName} lacks ${permission}`,
    userMessage: "You don't have permission to do this. Ask a platform admin for the group that grants it.",
  });
}
