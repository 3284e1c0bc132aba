/* Azure RBAC for the ARM emulator: which role assignments apply to a caller at a scope, what they
 * allow, and the permanent assignments the tenant seed and the test knobs make. armHandler asks it
 * before every ARM call; GET .../providers/Microsoft.Authorization/permissions shows the same answer. */
import { createHash } from "node:crypto";
import { type ArmPermission, permissionsAllow } from "../lib/cloud/arm-actions";
import type { EmulatorContext } from "./context";
import type { AzureSeed } from "./tenant";
import { ArmError, authorizationId, managementGroupOf, relateScope, requireSubscription, roleGuid } from "./arm-common";
import type { ArmAssignment, ArmStore } from "./arm-store";
import { CLUSTERS } from "./arm-seed";
import { scaleRoleAssignments } from "./scale-seed";
import { PROVISIONER_ROLE } from "../lib/cloud/required-permissions";

/** A GUID that only its seed determines, so that a seeded assignment keeps its name across restarts. */
function seededName(seed: string) {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class ArmRbac {
  /** names of the assignments the tenant seed and the test knob made (GET /_emulator/state lists them apart) */
  readonly seeded = new Set<string>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly store: ArmStore,
  ) {}

  /**
   * The object ids a caller holds roles as: itself, and every group it belongs to, directly or through
   * nested groups ("If you assign a role to a group, all members of the group get the role":
   * MicrosoftDocs/azure-docs articles/role-based-access-control/overview.md, "Role assignments").
   */
  private identitiesOf(callerId: string) {
    const id = callerId.toLowerCase();
    return new Set([id, ...this.ctx.tenant.transitiveGroupsOf(id).map((g) => g.id)]);
  }

  /**
   * The active assignments that apply to the caller at `scope`: made at that scope or any scope above
   * it, since "lower levels inherit role permissions from higher levels" (articles/role-based-access-control/
   * scope-overview.md). Scheduled PIM assignments count only from their start, ended ones not at all.
   */
  assignmentsFor(callerId: string, scope: string): ArmAssignment[] {
    const identities = this.identitiesOf(callerId);
    return this.store.active().filter((a) => {
      const relation = relateScope(a.scope, scope);
      return identities.has(a.principalId.toLowerCase()) && (relation === "at" || relation === "above");
    });
  }

  /** One permission block per applicable assignment, as Permissions - List returns them. */
  permissionsAt(callerId: string, scope: string): ArmPermission[] {
    return this.assignmentsFor(callerId, scope).flatMap(
      (a) => this.store.roleDefinition(a.roleGuid)?.permissions ?? [],
    );
  }

  isAllowed(callerId: string, action: string, scope: string): boolean {
    return permissionsAllow(this.permissionsAt(callerId, scope), action);
  }

  /** An object id, a user's UPN, a group's display name or an application's appId (its service principal). */
  resolvePrincipal(reference: string): string | undefined {
    const tenant = this.ctx.tenant;
    const key = reference.toLowerCase();
    const app = tenant.applications.find((a) => a.appId === key || a.servicePrincipalId === key);
    if (app) return app.servicePrincipalId;
    const user = tenant.user(key);
    if (user) return user.id;
    return (tenant.group(key) ?? tenant.groups.find((g) => g.displayName === reference))?.id;
  }

  /** A permanent role assignment, as an administrator makes one outside the app. */
  assign(principalReference: string, roleDefinitionId: string, scope: string, name?: string): ArmAssignment {
    const principalId = this.resolvePrincipal(principalReference);
    const principal = principalId ? this.store.principal(principalId) : undefined;
    if (!principal) throw new ArmError(400, "PrincipalNotFound", `Principal ${principalReference} does not exist.`);
    const role = this.store.requireRoleDefinition(roleDefinitionId);
    const normalScope = scope.replace(/\/{2,}/g, "/").replace(/(.)\/+$/, "$1");
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(normalScope)?.[1];
    if (subscription) requireSubscription(subscription);
    else if (normalScope !== "/" && !managementGroupOf(normalScope)) {
      throw new ArmError(400, "InvalidScope", `The scope '${scope}' is not valid.`);
    }
    if (this.store.findLive(principal.id, role.name, normalScope)) {
      throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
    }
    const now = this.store.now();
    const assignment: ArmAssignment = {
      name: (
        name ?? seededName(`${principal.id}:${role.name}:${normalScope.toLowerCase()}:${now.getTime()}`)
      ).toLowerCase(),
      scope: normalScope,
      roleGuid: role.name,
      principalId: principal.id,
      principalType: principal.type,
      description: null,
      condition: null,
      conditionVersion: null,
      createdOn: now,
      updatedOn: now,
      createdBy: "emulator",
      updatedBy: "emulator",
      startDateTime: now,
      endDateTime: null,
      scheduleName: "",
      requestId: null,
    };
    assignment.scheduleName = assignment.name;
    this.store.assignments.set(assignment.name, assignment);
    return assignment;
  }

  /** Removes a role assignment by name, whoever made it; false when there is none. */
  remove(name: string): boolean {
    this.seeded.delete(name.toLowerCase());
    return this.store.assignments.delete(name.toLowerCase());
  }

  /** The tenant seed's `azure.roleAssignments`; a reference the tenant does not know stops the emulator. */
  seed(entries: AzureSeed["roleAssignments"] = this.ctx.tenant.azure.roleAssignments, from = "tenant seed") {
    for (const entry of entries) {
      const where = `${from}: azure.roleAssignments (${entry.principal}, ${entry.role}, ${entry.scope})`;
      try {
        const name = seededName(
          `seed:${entry.principal.toLowerCase()}:${roleGuid(entry.role)}:${entry.scope.toLowerCase()}`,
        );
        this.seeded.add(this.assign(entry.principal, entry.role, entry.scope, name).name);
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
    }
  }

  /**
   * The scale seed's assignments (emulator/scale-seed.ts) on the clusters beyond the demo's: the
   * provisioner role for whoever the tenant seed makes the provisioner, and the standing drift.
   */
  seedScale() {
    const clusters = (this.ctx.clusters ?? []).filter((c) => !CLUSTERS.includes(c));
    const app = this.ctx.tenant.azure.roleAssignments.find((a) => roleGuid(a.role) === PROVISIONER_ROLE.id);
    if (clusters.length === 0 || !app) return;
    for (const entry of scaleRoleAssignments(clusters, app.principal)) {
      this.seeded.add(this.assign(entry.principal, entry.role, entry.scope).name);
    }
  }

  /** What GET /_emulator/state shows of the seeded assignments. */
  seededSnapshot() {
    return [...this.seeded].flatMap((name) => {
      const a = this.store.assignments.get(name);
      return a
        ? [
            {
              name: a.name,
              id: authorizationId(a.scope, `roleAssignments/${a.name}`),
              scope: a.scope,
              roleDefinitionId: a.roleGuid,
              principalId: a.principalId,
            },
          ]
        : [];
    });
  }
}
