/* Response bodies of the PIM endpoints (contract B.4, B.5), shaped like the 2020-10-01 spec examples
 * PutRoleAssignmentScheduleRequest.json, GetRoleAssignmentSchedulesByScope.json and
 * GetRoleAssignmentScheduleInstancesByScope.json. */
import { authorizationId, scopeKind } from "./arm-common";
import { SUBSCRIPTIONS } from "./arm-seed";
import type { ArmAssignment, ArmScheduleRequest, ArmStore, MemberType } from "./arm-store";

export function pimShapes(store: ArmStore) {
  const expanded = (scope: string, guid: string, principalId: string) => {
    const principal = store.principal(principalId);
    const subscription = SUBSCRIPTIONS.find((s) => scope.toLowerCase() === `/subscriptions/${s.subscriptionId}`);
    return {
      scope: { id: scope, displayName: subscription?.displayName ?? scope.split("/").pop(), type: scopeKind(scope) },
      roleDefinition: {
        id: store.roleDefinitionId(scope, guid),
        displayName: store.roleDefinition(guid)?.roleName ?? null,
        type: "BuiltInRole",
      },
      principal: {
        id: principalId,
        displayName: principal?.displayName ?? null,
        email: principal?.email ?? null,
        type: principal?.type ?? null,
      },
    };
  };

  /** A scheduled request turns Provisioned once its start has come. */
  const statusOf = (r: ArmScheduleRequest) =>
    r.status === "ScheduleCreated" && r.startDateTime.getTime() <= store.now().getTime() ? "Provisioned" : r.status;

  const requestId = (r: Pick<ArmScheduleRequest, "scope" | "name">) =>
    authorizationId(r.scope, `RoleAssignmentScheduleRequests/${r.name}`);

  const requestResource = (r: ArmScheduleRequest) => ({
    properties: {
      targetRoleAssignmentScheduleId: r.targetRoleAssignmentScheduleId,
      targetRoleAssignmentScheduleInstanceId: r.targetRoleAssignmentScheduleInstanceId,
      scope: r.scope,
      roleDefinitionId: store.roleDefinitionId(r.scope, r.roleGuid),
      principalId: r.principalId,
      principalType: r.principalType,
      requestType: r.requestType,
      status: statusOf(r),
      approvalId: null,
      scheduleInfo: {
        startDateTime: r.startDateTime.toISOString(),
        expiration: {
          type: r.expiration.type,
          endDateTime: r.expiration.endDateTime?.toISOString() ?? null,
          duration: r.expiration.duration,
        },
      },
      linkedRoleEligibilityScheduleId: r.linkedRoleEligibilityScheduleId,
      justification: r.justification,
      ticketInfo: r.ticketInfo,
      condition: r.condition,
      conditionVersion: r.conditionVersion,
      createdOn: r.createdOn.toISOString(),
      requestorId: r.requestorId,
      expandedProperties: expanded(r.scope, r.roleGuid, r.principalId),
    },
    name: r.name,
    id: requestId(r),
    // Capital R in the type and the id segment, as in the spec examples (B.4).
    type: "Microsoft.Authorization/RoleAssignmentScheduleRequests",
  });

  const scheduleId = (a: ArmAssignment) => authorizationId(a.scope, `RoleAssignmentSchedules/${a.scheduleName}`);

  const scheduleProperties = (a: ArmAssignment, memberType: MemberType) => ({
    scope: a.scope,
    roleDefinitionId: store.roleDefinitionId(a.scope, a.roleGuid),
    principalId: a.principalId,
    principalType: a.principalType,
    linkedRoleEligibilityScheduleId: null,
    assignmentType: "Assigned",
    memberType,
    status: "Provisioned",
    startDateTime: a.startDateTime.toISOString(),
    endDateTime: a.endDateTime?.toISOString() ?? null,
    condition: a.condition,
    conditionVersion: a.conditionVersion,
    createdOn: a.createdOn.toISOString(),
    expandedProperties: expanded(a.scope, a.roleGuid, a.principalId),
  });

  const scheduleResource = (a: ArmAssignment, memberType: MemberType) => ({
    properties: {
      ...scheduleProperties(a, memberType),
      roleAssignmentScheduleRequestId: a.requestId,
      updatedOn: a.updatedOn.toISOString(),
    },
    name: a.scheduleName,
    id: scheduleId(a),
    type: "Microsoft.Authorization/RoleAssignmentSchedules",
  });

  const instanceResource = (a: ArmAssignment, memberType: MemberType) => ({
    properties: {
      ...scheduleProperties(a, memberType),
      roleAssignmentScheduleId: scheduleId(a),
      originRoleAssignmentId: authorizationId(a.scope, `roleAssignments/${a.name}`),
      linkedRoleEligibilityScheduleInstanceId: null,
    },
    name: a.name,
    id: authorizationId(a.scope, `RoleAssignmentScheduleInstances/${a.name}`),
    type: "Microsoft.Authorization/RoleAssignmentScheduleInstances",
  });
  return { statusOf, requestId, requestResource, scheduleResource, instanceResource };
}
