/* Azure PIM for resource roles (api-version 2020-10-01, contract B.4, B.5): schedule requests that
 * assign, extend and remove time-bound role assignments under the default policy, and the schedules
 * and instances that show them. The SDK accepts only 201 from the PUT and only 200 from cancel (E.2). */
import { randomUUID } from "node:crypto";
import { durationMs } from "../lib/domain/duration";
import { type EmulatorContext, notifyAccessGranted } from "./context";
import type { EmulatorRequest, Router } from "./http";
import {
  ArmError,
  type ArmRequest,
  armHandler,
  isGuid,
  objectProp,
  onScoped,
  parseFilter,
  scopedList,
  scopeOf,
  sendArm,
  stringProp,
} from "./arm-common";
import { pimShapes } from "./arm-pim-shapes";
import type { ArmAssignment, ArmScheduleRequest, ArmStore, MemberType } from "./arm-store";

/**
 * The role settings the emulator enforces on admin assignments (AdminAssign, AdminExtend, AdminUpdate):
 * the role management policy's Expiration_Admin_Assignment and Enablement_Admin_Assignment rules, not
 * the EndUser ones (PT8H) that hold activations. Azure's default for active assignments is 6 months
 * (P180D; MicrosoftDocs/entra-docs docs/id-governance/privileged-identity-management/
 * pim-resource-roles-configure-role-settings.md, "Assignment duration"), with a justification required
 * on active assignment; the rules' shape: Azure/azure-rest-api-specs specification/authorization/
 * resource-manager/Microsoft.Authorization/stable/2020-10-01/examples/GetRoleManagementPolicyByName.json
 * (Expiration_Admin_Assignment maximumDuration, Enablement_Admin_Assignment enabledRules ["Justification"]).
 */
const ADMIN_ASSIGNMENT_POLICY = { maximumDurationMs: 180 * 24 * 3600_000, isJustificationRequired: true };
const REQUEST_TYPES = [
  "AdminAssign",
  "AdminRemove",
  "AdminUpdate",
  "AdminExtend",
  "AdminRenew",
  "SelfActivate",
  "SelfDeactivate",
  "SelfExtend",
  "SelfRenew",
];
const EXPIRATION_TYPES = ["AfterDuration", "AfterDateTime", "NoExpiration"];
/** States in which a request has not taken effect yet, so it can still be cancelled. */
const PENDING = new Set(["ScheduleCreated", "Granted", "PendingApproval", "PendingProvisioning", "PendingEvaluation"]);
const PIM = "/providers/Microsoft.Authorization";

const canonical = (list: string[], value: string | undefined) =>
  list.find((v) => v.toLowerCase() === value?.toLowerCase());

function invalid(message: string): never {
  throw new ArmError(400, "InvalidRoleAssignmentRequest", message);
}

function policyFailure(rules: string[]): never {
  throw new ArmError(
    400,
    "RoleAssignmentRequestPolicyValidationFailed",
    `The following policy rules failed: ${JSON.stringify(rules)}`,
  );
}

export function registerPim(router: Router, ctx: EmulatorContext, store: ArmStore) {
  const { statusOf, requestId, requestResource, scheduleResource, instanceResource } = pimShapes(store);

  /** Validates a request and works out its effect; `apply` commits it (create) or is skipped (validate). */
  const plan = (req: ArmRequest) => {
    const scope = scopeOf(req.url);
    const name = (req.params.name ?? "").toLowerCase();
    if (!isGuid(name)) invalid(`The role assignment request name '${name}' must be a GUID.`);
    const props = objectProp(req.body, "properties");
    const requestType = canonical(REQUEST_TYPES, stringProp(props, "requestType"));
    const roleDefinitionId = stringProp(props, "roleDefinitionId");
    const principalId = stringProp(props, "principalId");
    if (!requestType || !roleDefinitionId || !principalId) {
      invalid("properties.principalId, properties.roleDefinitionId and a valid properties.requestType are required.");
    }
    const role = store.requireRoleDefinition(roleDefinitionId);
    const principal = store.requirePrincipal(principalId, undefined);
    const now = store.now();

    const scheduleInfo = objectProp(props, "scheduleInfo");
    const expiration = objectProp(scheduleInfo, "expiration");
    const startText = stringProp(scheduleInfo, "startDateTime");
    const start = startText ? new Date(startText) : now;
    if (Number.isNaN(start.getTime())) invalid(`The start date '${startText}' is not a valid date.`);
    const expirationType = canonical(EXPIRATION_TYPES, stringProp(expiration, "type") ?? "NoExpiration");
    if (!expirationType) invalid(`The expiration type '${String(expiration?.type)}' is not valid.`);
    const duration = stringProp(expiration, "duration") ?? null;
    const endText = stringProp(expiration, "endDateTime");
    let end: Date | null = null;
    if (expirationType === "AfterDuration") {
      const ms = duration === null ? undefined : durationMs(duration.trim());
      if (ms === undefined) invalid(`The duration '${duration}' is not a valid ISO 8601 duration.`);
      end = new Date(start.getTime() + ms);
    } else if (expirationType === "AfterDateTime") {
      end = endText ? new Date(endText) : null;
      if (!end || Number.isNaN(end.getTime())) invalid(`The end date '${endText}' is not a valid date.`);
    }
    const ticket = objectProp(props, "ticketInfo");
    const request: ArmScheduleRequest = {
      name,
      scope,
      roleGuid: role.name,
      principalId: principal.id,
      principalType: principal.type,
      requestType,
      status: "Provisioned",
      startDateTime: start,
      expiration: { type: expirationType, duration, endDateTime: expirationType === "AfterDateTime" ? end : null },
      justification: stringProp(props, "justification") ?? null,
      ticketInfo: {
        ticketNumber: stringProp(ticket, "ticketNumber") ?? null,
        ticketSystem: stringProp(ticket, "ticketSystem") ?? null,
      },
      condition: stringProp(props, "condition") ?? null,
      conditionVersion: stringProp(props, "conditionVersion") ?? null,
      linkedRoleEligibilityScheduleId: stringProp(props, "linkedRoleEligibilityScheduleId") ?? null,
      targetRoleAssignmentScheduleId: null,
      targetRoleAssignmentScheduleInstanceId: null,
      createdOn: now,
      requestorId: req.callerId,
    };

    /** Expiration and justification rules of the default policy (contract A.8, E.7). */
    const checkPolicy = () => {
      const failed: string[] = [];
      if (!end || end.getTime() - start.getTime() > ADMIN_ASSIGNMENT_POLICY.maximumDurationMs) {
        failed.push("ExpirationRule");
      }
      if (ADMIN_ASSIGNMENT_POLICY.isJustificationRequired && !request.justification) failed.push("JustificationRule");
      if (failed.length > 0) policyFailure(failed);
      if (end && end.getTime() <= now.getTime()) invalid("The requested schedule ends in the past.");
    };
    const live = store.findLive(principal.id, role.name, scope);
    const requireLive = () => {
      if (!live) throw new ArmError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
      request.targetRoleAssignmentScheduleId = live.scheduleName;
      return live;
    };

    let apply = () => {};
    switch (requestType) {
      case "AdminAssign": {
        checkPolicy();
        // PIM answers 400 here, where a plain roleAssignments PUT answers 409 (contract A.8: UNCERTAIN).
        if (live) throw new ArmError(400, "RoleAssignmentExists", "The Role assignment already exists.");
        const assignment: ArmAssignment = {
          name: randomUUID(),
          scope,
          roleGuid: role.name,
          principalId: principal.id,
          principalType: principal.type,
          description: null,
          condition: request.condition,
          conditionVersion: request.conditionVersion,
          createdOn: now,
          updatedOn: now,
          createdBy: req.callerId,
          updatedBy: req.callerId,
          startDateTime: start,
          endDateTime: end,
          scheduleName: randomUUID(),
          requestId: requestId(request),
        };
        request.targetRoleAssignmentScheduleId = assignment.scheduleName;
        request.status = start.getTime() > now.getTime() ? "ScheduleCreated" : "Provisioned";
        apply = () => {
          store.assignments.set(assignment.name, assignment);
          notifyAccessGranted(ctx, {
            principalId: assignment.principalId,
            scope: assignment.scope,
            roleDefinitionId: assignment.roleGuid,
            start: assignment.startDateTime,
            end: assignment.endDateTime,
          });
        };
        break;
      }
      case "AdminExtend":
      case "AdminUpdate": {
        const target = requireLive();
        checkPolicy();
        apply = () => {
          if (requestType === "AdminUpdate") target.startDateTime = start;
          target.endDateTime = end;
          target.updatedOn = now;
          target.updatedBy = req.callerId;
        };
        break;
      }
      case "AdminRemove":
      case "SelfDeactivate": {
        const target = requireLive();
        // PIM keeps an active assignment for at least 5 minutes from its start (contract A.8; third-party
        // evidence: ARM PIM clients observe 400 {"code":"ActiveDurationTooShort","message":"The Active
        // duration is too short. Miniumum Required is 5 minutes."}). A scheduled one may be removed.
        const activeMs = now.getTime() - target.startDateTime.getTime();
        if (activeMs >= 0 && activeMs < ctx.settings.minimumActiveDurationSeconds * 1000) {
          throw new ArmError(
            400,
            "ActiveDurationTooShort",
            "The Active duration is too short. Miniumum Required is 5 minutes.",
          );
        }
        request.status = "Revoked";
        apply = () => void store.assignments.delete(target.name);
        break;
      }
      case "SelfActivate":
      case "SelfExtend":
      case "SelfRenew":
        // The emulator holds no eligible assignments, so self-service always lacks an eligibility.
        policyFailure(["EligibilityRule"]);
        break;
      default:
        invalid(`The emulator does not support requestType '${requestType}'.`);
    }
    return { request, apply };
  };

  const requestPath = `${PIM}/roleAssignmentScheduleRequests`;

  onScoped(
    router,
    "PUT",
    `${requestPath}/:name`,
    armHandler(ctx, (req, res) => {
      const name = (req.params.name ?? "").toLowerCase();
      if (store.requests.has(name)) {
        // Third-party evidence only: the same GUID again is refused, not treated as idempotent.
        throw new ArmError(
          409,
          "RoleAssignmentRequestExists",
          `A role assignment request with Id: ${name} already exists.`,
        );
      }
      const { request, apply } = plan(req);
      apply();
      store.requests.set(name, request);
      sendArm(res, 201, requestResource(request));
    }),
  );

  onScoped(
    router,
    "POST",
    `${requestPath}/:name/validate`,
    armHandler(ctx, (req, res) => sendArm(res, 200, requestResource(plan(req).request))),
  );

  const findRequest = (req: EmulatorRequest) => {
    const scope = scopeOf(req.url);
    const found = store.requests.get((req.params.name ?? "").toLowerCase());
    if (!found || found.scope.toLowerCase() !== scope.toLowerCase()) {
      throw new ArmError(
        404,
        "RoleAssignmentScheduleRequestNotFound",
        `The role assignment schedule request '${req.params.name}' is not found.`,
      );
    }
    return found;
  };

  onScoped(
    router,
    "GET",
    `${requestPath}/:name`,
    armHandler(ctx, (req, res) => sendArm(res, 200, requestResource(findRequest(req)))),
  );

  onScoped(
    router,
    "POST",
    `${requestPath}/:name/cancel`,
    armHandler(ctx, (req, res) => {
      const found = findRequest(req);
      const status = statusOf(found);
      if (!PENDING.has(status)) {
        throw new ArmError(400, "BadRequest", `Only a pending request can be cancelled; this request is ${status}.`);
      }
      found.status = "Canceled";
      const target = [...store.assignments.values()].find((a) => a.requestId === requestId(found));
      if (target) store.assignments.delete(target.name);
      sendArm(res, 200, {});
    }),
  );

  onScoped(
    router,
    "GET",
    requestPath,
    scopedList(
      ctx,
      ["atScope", "principalId", "asRequestor", "asTarget", "asApprover", "roleDefinitionId", "status", "requestorId"],
      (scope, filter, req) => {
        const requests = [...store.requests.values()].map((r) => ({ ...r, status: statusOf(r), stored: r }));
        return store.select(requests, scope, filter, req.callerId).map(({ item }) => requestResource(item.stored));
      },
    ),
  );

  const scheduleFilters = ["atScope", "principalId", "assignedTo", "asTarget", "roleDefinitionId"] as const;

  type Resource = (a: ArmAssignment, memberType: MemberType) => unknown;
  const listOf = (source: () => ArmAssignment[], resource: Resource) =>
    scopedList(ctx, [...scheduleFilters], (scope, filter, req) =>
      store.select(source(), scope, filter, req.callerId).map((s) => resource(s.item, s.memberType)),
    );
  const schedules = () => (store.prune(), [...store.assignments.values()]);
  onScoped(router, "GET", `${PIM}/roleAssignmentSchedules`, listOf(schedules, scheduleResource));
  onScoped(
    router,
    "GET",
    `${PIM}/roleAssignmentScheduleInstances`,
    listOf(() => store.active(), instanceResource),
  );

  const getOne = (
    kind: string,
    find: (a: ArmAssignment, name: string) => boolean,
    source: () => ArmAssignment[],
    resource: Resource,
  ) =>
    armHandler(ctx, (req, res) => {
      const scope = scopeOf(req.url);
      const name = (req.params.name ?? "").toLowerCase();
      const found = source().find((a) => find(a, name) && a.scope.toLowerCase() === scope.toLowerCase());
      if (!found) throw new ArmError(404, `${kind}NotFound`, `The ${kind} '${req.params.name}' is not found.`);
      sendArm(res, 200, resource(found, "Direct"));
    });
  onScoped(
    router,
    "GET",
    `${PIM}/roleAssignmentSchedules/:name`,
    getOne("RoleAssignmentSchedule", (a, n) => a.scheduleName === n, schedules, scheduleResource),
  );
  onScoped(
    router,
    "GET",
    `${PIM}/roleAssignmentScheduleInstances/:name`,
    getOne(
      "RoleAssignmentScheduleInstance",
      (a, n) => a.name === n,
      () => store.active(),
      instanceResource,
    ),
  );

  // No eligible assignments in the emulator: the app grants active assignments only.
  for (const list of ["roleEligibilityScheduleInstances", "roleEligibilitySchedules"]) {
    onScoped(
      router,
      "GET",
      `${PIM}/${list}`,
      armHandler(ctx, (req, res) => {
        scopeOf(req.url);
        parseFilter(req.url, [...scheduleFilters]);
        sendArm(res, 200, { value: [] });
      }),
    );
  }
}
