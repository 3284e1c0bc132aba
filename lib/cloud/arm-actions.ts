/**
 * How Azure RBAC decides whether a role's permissions allow an action, in one place: the emulator's
 * enforcement and its `Microsoft.Authorization/permissions` endpoint use it, and so can `npm run doctor`
 * on what that endpoint returns. No imports: the emulator, scripts and the app can all read it.
 *
 * Rules (MicrosoftDocs/azure-docs articles/role-based-access-control/role-definitions.md, "Actions",
 * "NotActions" and "Wildcard permissions"):
 * - operation strings compare case-insensitively;
 * - `*` matches any run of characters, in any position (`*`, `*\/read`, `Microsoft.Authorization/*\/Write`);
 * - a role allows an action that one of its `actions` matches and none of its `notActions` matches;
 * - NotActions are not deny rules: "If a user is assigned a role that excludes an operation in NotActions,
 *   and is assigned a second role that grants access to the same operation, the user is allowed to
 *   perform that operation." So several permissions allow what any one of them allows.
 * DataActions do not take part: ARM's control plane checks Actions only.
 */

export interface ArmPermission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions?: readonly string[];
  notDataActions?: readonly string[];
}

const patterns = new Map<string, RegExp>();

/** Whether an operation pattern (with `*` wildcards) matches an action, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  let regex = patterns.get(pattern);
  if (!regex) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${source}$`, "i");
    patterns.set(pattern, regex);
  }
  return regex.test(action);
}

/** Whether one role's permission block allows the action. */
export function permissionAllows(permission: ArmPermission, action: string): boolean {
  return (
    permission.actions.some((p) => actionMatches(p, action)) &&
    !permission.notActions.some((p) => actionMatches(p, action))
  );
}

/** Whether any of the permissions (one per role the principal holds at the scope) allows the action. */
export function permissionsAllow(permissions: readonly ArmPermission[], action: string): boolean {
  return permissions.some((permission) => permissionAllows(permission, action));
}

/** The actions none of the permissions allows, in the order given. */
export function missingActions(permissions: readonly ArmPermission[], actions: readonly string[]): string[] {
  return actions.filter((action) => !permissionsAllow(permissions, action));
}
