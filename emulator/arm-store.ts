/* The ARM emulator's state: role assignments (plain ones and those PIM schedule requests create)
 * and schedule requests, held in memory, with the lookups and visibility rules the endpoints share.
 * Time-bound assignments end on their own: every read prunes against ctx.now(), no timers. */
import type { EmulatorContext } from "./context";
import { ArmError, type ArmFilter, authorizationId, relateScope, roleGuid, subscriptionPrefix } from "./arm-common";
import { ROLE_DEFINITIONS, type SeedRoleDefinition } from "./arm-seed";

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

export interface ArmPrincipal {
  id: string;
  type: PrincipalType;
  displayName: string;
  email: string | null;
}

export interface ArmAssignment {
  /** the role assignment's GUID; also the name of its PIM schedule instance */
  name: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: PrincipalType;
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: Date;
  updatedOn: Date;
  createdBy: string;
  updatedBy: string;
  startDateTime: Date;
  /** null for a permanent assignment */
  endDateTime: Date | null;
  /** PIM schedule name (a GUID); a plain assignment uses its own name */
  scheduleName: string;
  /** full id of the schedule request that created it, null for a plain assignment */
  requestId: string | null;
}

export interface ArmScheduleRequest {
  name: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: PrincipalType;
  requestType: string;
  status: string;
  startDateTime: Date;
  expiration: { type: string; duration: string | null; endDateTime: Date | null };
  justification: string | null;
  ticketInfo: { ticketNumber: string | null; ticketSystem: string | null };
  condition: string | null;
  conditionVersion: string | null;
  linkedRoleEligibilityScheduleId: string | null;
  targetRoleAssignmentScheduleId: string | null;
  targetRoleAssignmentScheduleInstanceId: string | null;
  createdOn: Date;
  requestorId: string;
}

export interface Selectable {
  scope: string;
  principalId: string;
  roleGuid: string;
  requestorId?: string;
  status?: string;
}

export type MemberType = "Direct" | "Group" | "Inherited";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class ArmStore {
  /** keyed by lower-cased name: role assignment names are unique across scopes */
  readonly assignments = new Map<string, ArmAssignment>();
  readonly requests = new Map<string, ArmScheduleRequest>();

  constructor(private readonly ctx: EmulatorContext) {}

  now() {
    return this.ctx.now();
  }

  /** Drops assignments whose end has passed, as Azure removes them at their end. */
  prune() {
    const now = this.now().getTime();
    for (const [key, a] of this.assignments) {
      if (a.endDateTime && a.endDateTime.getTime() <= now) this.assignments.delete(key);
    }
  }

  isActive(a: ArmAssignment) {
    return a.startDateTime.getTime() <= this.now().getTime();
  }

  /** Active assignments (scheduled ones excluded), after pruning the ended ones. */
  active() {
    this.prune();
    return [...this.assignments.values()].filter((a) => this.isActive(a));
  }

  /** The current or scheduled assignment of this role to this principal at exactly this scope. */
  findLive(principalId: string, guid: string, scope: string) {
    this.prune();
    return [...this.assignments.values()].find(
      (a) => same(a.principalId, principalId) && a.roleGuid === guid && same(a.scope, scope),
    );
  }

  principal(id: string): ArmPrincipal | undefined {
    const key = id.toLowerCase();
    const user = this.ctx.tenant.users.find((u) => u.id === key);
    if (user) return { id: user.id, type: "User", displayName: user.displayName, email: user.userPrincipalName };
    const group = this.ctx.tenant.groups.find((g) => g.id === key);
    if (group) return { id: group.id, type: "Group", displayName: group.displayName, email: null };
    const app = this.ctx.tenant.applications.find((a) => a.servicePrincipalId === key);
    if (app) return { id: app.servicePrincipalId, type: "ServicePrincipal", displayName: app.displayName, email: null };
    return undefined;
  }

  /**
   * A principal Entra ID created moments ago is not yet replicated to Azure RBAC: ARM answers 400
   * PrincipalNotFound unless the request declares its principalType, which skips the lookup
   * (MicrosoftDocs/azure-docs articles/role-based-access-control/troubleshooting.md, "PrincipalNotFound";
   * https://aka.ms/docs-principaltype). PIM schedule requests carry no principalType to declare.
   */
  private isReplicating(id: string) {
    const created = this.ctx.tenant.createdDateTime(id);
    const delayMs = this.ctx.settings.principalReplicationDelaySeconds * 1000;
    return created !== undefined && this.now().getTime() - created.getTime() < delayMs;
  }

  requirePrincipal(id: string, declaredType: string | undefined): ArmPrincipal {
    const principal = this.principal(id);
    if (!principal || (!declaredType && this.isReplicating(id))) {
      throw new ArmError(
        400,
        "PrincipalNotFound",
        `Principal ${id.replaceAll("-", "")} does not exist in the directory ${this.ctx.tenant.id}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    if (declaredType && !same(declaredType, principal.type)) {
      throw new ArmError(
        400,
        "UnmatchedPrincipalType",
        `The PrincipalId '${id.replaceAll("-", "")}' has type '${principal.type}' , which is different from specified PrincipalType '${declaredType}'.`,
      );
    }
    return principal;
  }

  roleDefinition(roleDefinitionId: string): SeedRoleDefinition | undefined {
    const guid = roleGuid(roleDefinitionId);
    return ROLE_DEFINITIONS.find((r) => r.name === guid);
  }

  requireRoleDefinition(roleDefinitionId: string): SeedRoleDefinition {
    const role = this.roleDefinition(roleDefinitionId);
    if (!role) {
      throw new ArmError(
        400,
        "RoleDefinitionDoesNotExist",
        `The specified role definition with ID '${roleGuid(roleDefinitionId)}' does not exist.`,
      );
    }
    return role;
  }

  /** ARM echoes role definition ids under the subscription of the scope (B.2 example shows both forms). */
  roleDefinitionId(scope: string, guid: string) {
    return `${subscriptionPrefix(scope)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  }

  /**
   * Items the list endpoints return for `queryScope` and `$filter` (contract B.2, B.4, B.5):
   * `atScope()` means at or above the scope; otherwise at, above and below. `assignedTo('x')` and
   * `asTarget()` include the groups the principal is in, transitively.
   */
  select<T extends Selectable>(items: T[], queryScope: string, filter: ArmFilter, callerId: string) {
    if (filter.asApprover) return []; // the emulator's ARM PIM never asks for approval
    const target = filter.assignedTo ?? (filter.asTarget ? callerId : undefined);
    const targetIds = target
      ? new Set([target.toLowerCase(), ...this.ctx.tenant.transitiveGroupsOf(target.toLowerCase()).map((g) => g.id)])
      : undefined;
    const selected: Array<{ item: T; memberType: MemberType }> = [];
    for (const item of items) {
      const relation = relateScope(item.scope, queryScope);
      if (!relation || (filter.atScope && relation === "below")) continue;
      if (filter.principalId && !same(item.principalId, filter.principalId)) continue;
      if (targetIds && !targetIds.has(item.principalId.toLowerCase())) continue;
      if (filter.roleDefinitionId && roleGuid(filter.roleDefinitionId) !== item.roleGuid) continue;
      if (filter.status && !same(item.status ?? "", filter.status)) continue;
      const requestor = filter.requestorId ?? (filter.asRequestor ? callerId : undefined);
      if (requestor && !same(item.requestorId ?? "", requestor)) continue;
      const isViaGroup = target !== undefined && !same(item.principalId, target);
      selected.push({ item, memberType: relation === "above" ? "Inherited" : isViaGroup ? "Group" : "Direct" });
    }
    return selected;
  }

  /** What GET /_emulator/state shows: active assignments, plain and PIM. */
  snapshot() {
    return this.active().map((a) => ({
      id: authorizationId(a.scope, `roleAssignments/${a.name}`),
      scope: a.scope,
      roleDefinitionId: a.roleGuid,
      principalId: a.principalId,
      endDateTime: a.endDateTime?.toISOString() ?? null,
    }));
  }
}
