/* Azure RBAC: roleAssignments and roleDefinitions (api-version 2022-04-01, contract B.2, B.3),
 * at any scope: root, subscription, resource group or resource. */
import { type EmulatorContext, notifyAccessGranted } from "./context";
import type { Router } from "./http";
import {
  ArmError,
  armHandler,
  authorizationId,
  isGuid,
  objectProp,
  onScoped,
  roleGuid,
  scopedList,
  scopeOf,
  sendArm,
  stringProp,
  subscriptionPrefix,
} from "./arm-common";
import type { ArmAssignment, ArmStore } from "./arm-store";
import { ROLE_DEFINITIONS, type SeedRoleDefinition } from "./arm-seed";

/** Built-in roles exist since long before the demo; a fixed date keeps responses stable. */
const BUILT_IN_CREATED_ON = "2020-08-01T00:00:00.0000000Z";

export function roleAssignmentResource(store: ArmStore, a: ArmAssignment) {
  return {
    properties: {
      roleDefinitionId: store.roleDefinitionId(a.scope, a.roleGuid),
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition,
      conditionVersion: a.conditionVersion,
      createdOn: a.createdOn.toISOString(),
      updatedOn: a.updatedOn.toISOString(),
      createdBy: a.createdBy,
      updatedBy: a.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: a.description,
    },
    id: authorizationId(a.scope, `roleAssignments/${a.name}`),
    type: "Microsoft.Authorization/roleAssignments",
    name: a.name,
  };
}

function roleDefinitionResource(scope: string, role: SeedRoleDefinition) {
  return {
    properties: {
      roleName: role.roleName,
      type: role.roleType ?? "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: role.permissions,
      createdOn: BUILT_IN_CREATED_ON,
      updatedOn: BUILT_IN_CREATED_ON,
      createdBy: null,
      updatedBy: null,
    },
    id: `${subscriptionPrefix(scope)}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    type: "Microsoft.Authorization/roleDefinitions",
    name: role.name,
  };
}

export function registerRbac(router: Router, ctx: EmulatorContext, store: ArmStore) {
  const assignmentPath = "/providers/Microsoft.Authorization/roleAssignments";

  const atScope = (scope: string, name: string) => {
    const found = store.assignments.get(name.toLowerCase());
    return found && store.isActive(found) && found.scope.toLowerCase() === scope.toLowerCase() ? found : undefined;
  };

  onScoped(
    router,
    "PUT",
    `${assignmentPath}/:name`,
    armHandler(ctx, (req, res) => {
      const scope = scopeOf(req.url);
      const name = req.params.name ?? "";
      if (!isGuid(name)) {
        throw new ArmError(
          400,
          "InvalidRoleAssignmentId",
          `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
        );
      }
      const props = objectProp(req.body, "properties");
      const roleDefinitionId = stringProp(props, "roleDefinitionId");
      const principalId = stringProp(props, "principalId");
      if (!roleDefinitionId || !principalId) {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          "properties.roleDefinitionId and properties.principalId are required.",
        );
      }
      const role = store.requireRoleDefinition(roleDefinitionId);
      const principal = store.requirePrincipal(principalId, stringProp(props, "principalType"));
      store.prune();
      const now = store.now();
      const existing = store.assignments.get(name.toLowerCase());
      if (existing) {
        const isSame =
          existing.scope.toLowerCase() === scope.toLowerCase() &&
          existing.roleGuid === role.name &&
          existing.principalId === principal.id;
        if (!isSame) {
          throw new ArmError(
            409,
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
          );
        }
        existing.description = stringProp(props, "description") ?? existing.description;
        existing.updatedOn = now;
        existing.updatedBy = req.callerId;
        return sendArm(res, 200, roleAssignmentResource(store, existing));
      }
      if (store.findLive(principal.id, role.name, scope)) {
        // 409, which the SDK does not retry (contract B.2; notes Q4 R2).
        throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
      }
      const created: ArmAssignment = {
        name: name.toLowerCase(),
        scope,
        roleGuid: role.name,
        principalId: principal.id,
        principalType: principal.type,
        description: stringProp(props, "description") ?? null,
        condition: stringProp(props, "condition") ?? null,
        conditionVersion: stringProp(props, "conditionVersion") ?? null,
        createdOn: now,
        updatedOn: now,
        createdBy: req.callerId,
        updatedBy: req.callerId,
        startDateTime: now,
        endDateTime: null,
        scheduleName: name.toLowerCase(),
        requestId: null,
      };
      store.assignments.set(created.name, created);
      notifyAccessGranted(ctx, {
        principalId: created.principalId,
        scope: created.scope,
        roleDefinitionId: created.roleGuid,
        start: created.startDateTime,
        end: null,
      });
      sendArm(res, 201, roleAssignmentResource(store, created));
    }),
  );

  onScoped(
    router,
    "GET",
    `${assignmentPath}/:name`,
    armHandler(ctx, (req, res) => {
      const scope = scopeOf(req.url);
      store.prune();
      const found = atScope(scope, req.params.name ?? "");
      if (!found) {
        throw new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${req.params.name}' is not found.`);
      }
      sendArm(res, 200, roleAssignmentResource(store, found));
    }),
  );

  onScoped(
    router,
    "DELETE",
    `${assignmentPath}/:name`,
    armHandler(ctx, (req, res) => {
      const scope = scopeOf(req.url);
      store.prune();
      const found = atScope(scope, req.params.name ?? "");
      // 204: "Role assignment was already deleted or does not exist." (B.2); the SDK resolves it to {}.
      if (!found) return void res.writeHead(204).end();
      store.assignments.delete(found.name);
      sendArm(res, 200, roleAssignmentResource(store, found));
    }),
  );

  onScoped(
    router,
    "GET",
    assignmentPath,
    scopedList(ctx, ["atScope", "principalId", "assignedTo"], (scope, filter, req) =>
      store.select(store.active(), scope, filter, req.callerId).map(({ item }) => roleAssignmentResource(store, item)),
    ),
  );

  const definitionPath = "/providers/Microsoft.Authorization/roleDefinitions";

  onScoped(
    router,
    "GET",
    definitionPath,
    scopedList(ctx, ["roleName", "roleType"], (scope, filter) =>
      ROLE_DEFINITIONS.filter(
        (r) =>
          (!filter.roleName || r.roleName.toLowerCase() === filter.roleName.toLowerCase()) &&
          (!filter.roleType || filter.roleType.toLowerCase() === (r.roleType ?? "BuiltInRole").toLowerCase()),
      ).map((r) => roleDefinitionResource(scope, r)),
    ),
  );

  onScoped(
    router,
    "GET",
    `${definitionPath}/:id`,
    armHandler(ctx, (req, res) => {
      const scope = scopeOf(req.url);
      const role = store.roleDefinition(req.params.id ?? "");
      if (!role) {
        throw new ArmError(
          404,
          "RoleDefinitionDoesNotExist",
          `The specified role definition with ID '${roleGuid(req.params.id ?? "")}' does not exist.`,
        );
      }
      sendArm(res, 200, roleDefinitionResource(scope, role));
    }),
  );
}
