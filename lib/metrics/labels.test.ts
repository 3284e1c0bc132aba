import { describe, expect, it } from "vitest";
import { REQUEST_EVENT_TYPES, type RequestEventType } from "@/lib/domain/request-state";
import { providerOperation, requestOutcome, secondsBetween, statusLabel } from "./labels";

const CLUSTER =
  "/subscriptions/0b1f/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks";
const AUTHZ = `${CLUSTER}/providers/Microsoft.Authorization`;
const PIM = "/v1.0/identityGovernance/privilegedAccess/group";

describe("providerOperation", () => {
  it.each<[string, string, string]>([
    // Graph, as the providers, the directory and mail call it
    ["POST", `${PIM}/assignmentScheduleRequests`, "assignmentScheduleRequests.create"],
    ["GET", `${PIM}/assignmentSchedules?$filter=groupId eq 'g' and principalId eq 'p'`, "assignmentSchedules.list"],
    ["GET", `${PIM}/assignmentScheduleInstances?$skiptoken=abc`, "assignmentScheduleInstances.list"],
    ["POST", "/v1.0/groups/0d1c/members/$ref", "members.add"],
    ["DELETE", "/v1.0/groups/0d1c/members/5a7e/$ref", "members.remove"],
    ["GET", "/v1.0/groups/0d1c/members?$select=id&$top=999", "members.list"],
    ["GET", "/v1.0/groups/0d1c/transitiveMembers", "transitiveMembers.list"],
    ["GET", "/v1.0/users/5a7e/transitiveMemberOf?$select=id", "transitiveMemberOf.list"],
    ["GET", "/v1.0/me/transitiveMemberOf", "transitiveMemberOf.list"],
    ["GET", "/v1.0/users/5a7e?$select=displayName", "users.get"],
    ["POST", "/v1.0/users/5a7e/revokeSignInSessions", "revokeSignInSessions"],
    ["post", "/v1.0/users/noreply%40contoso.com/sendMail", "sendMail"],
    // ARM, at a cluster's scope and by id
    ["PUT", `${AUTHZ}/roleAssignments/9f3e?api-version=2022-04-01`, "roleAssignments.create"],
    ["DELETE", `${AUTHZ}/roleAssignments/9f3e?api-version=2022-04-01`, "roleAssignments.delete"],
    ["GET", `${AUTHZ}/roleAssignments/9f3e?api-version=2022-04-01`, "roleAssignments.get"],
    ["GET", `${AUTHZ}/roleAssignments?$filter=atScope()&api-version=2022-04-01`, "roleAssignments.list"],
    [
      "PUT",
      `${AUTHZ}/roleAssignmentScheduleRequests/1c2d?api-version=2020-10-01`,
      "roleAssignmentScheduleRequests.create",
    ],
    ["GET", `${AUTHZ}/roleAssignmentScheduleInstances?$filter=asTarget()`, "roleAssignmentScheduleInstances.list"],
    ["GET", `${AUTHZ}/roleDefinitions/3498e952?api-version=2022-04-01`, "roleDefinitions.get"],
    ["GET", `${CLUSTER}?api-version=2024-09-01`, "managedClusters.get"],
    // anything else is "other": no unknown name, and nothing from a query string, becomes a label
    ["GET", "/v1.0/applications/1a2b", "other"],
    ["GET", "/v1.0/organization?$filter=roleAssignments", "other"],
    ["GET", "/v1.0/users/5a7e/sendMail", "other"],
    ["OPTIONS", "/v1.0/groups", "other"],
    ["PUT", "/v1.0/groups/0d1c/members/$ref", "other"],
    ["GET", "", "other"],
  ])("%s %s → %s", (method, path, operation) => {
    expect(providerOperation(method, path)).toBe(operation);
  });
});

describe("requestOutcome", () => {
  const expected: Record<RequestEventType, string | undefined> = {
    "request.created": "filed",
    "request.approval_added": undefined,
    "request.approved": "approved",
    "request.denied": "denied",
    "request.cancelled": "cancelled",
    "request.timed_out": "timed_out",
    "request.scheduled": undefined,
    "request.activating": undefined,
    "request.activated": "activated",
    "request.activation_failed": "failed",
    "request.expired": "expired",
    "request.deactivated": "deactivated",
    "request.revoked": "revoked",
    "request.extended": undefined,
    "request.activation_retried": undefined,
  };

  it.each(REQUEST_EVENT_TYPES.map((type) => [type, expected[type]] as const))("%s → %s", (type, outcome) => {
    expect(requestOutcome(type)).toBe(outcome);
  });
});

describe("statusLabel and secondsBetween", () => {
  it("writes a status as text, and no response as none", () => {
    expect([statusLabel(201), statusLabel(429), statusLabel(null)]).toEqual(["201", "429", "none"]);
  });

  it("counts seconds forward and never below zero", () => {
    const at = new Date("2026-12-05T10:00:00Z");
    expect(secondsBetween(at, new Date("2026-12-05T10:01:30.500Z"))).toBe(90.5);
    expect(secondsBetween(at, new Date("2026-12-05T09:59:00Z"))).toBe(0);
  });
});
