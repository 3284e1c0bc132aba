import type { RequestEventType } from "@/lib/domain/request-state";

/**
 * Label values from closed sets. Every distinct value is a series of its own in Prometheus, so a
 * label never carries an id, a name typed by a person or a URL: anything unexpected becomes "other".
 */

const OUTCOMES: Partial<Record<RequestEventType, string>> = {
  "request.created": "filed",
  "request.approved": "approved",
  "request.denied": "denied",
  "request.cancelled": "cancelled",
  "request.timed_out": "timed_out",
  "request.activated": "activated",
  "request.activation_failed": "failed",
  "request.expired": "expired",
  "request.deactivated": "deactivated",
  "request.revoked": "revoked",
};

/** The lifecycle step an event marks, or undefined for intermediate ones (one approval of several, activating ...). */
export function requestOutcome(type: RequestEventType): string | undefined {
  return OUTCOMES[type];
}

/** Graph and ARM collections the app calls; the HTTP method says what it did to them. */
const COLLECTIONS = new Set([
  // Graph: PIM for Groups, group membership, the directory, mail
  "assignmentScheduleRequests",
  "assignmentSchedules",
  "assignmentScheduleInstances",
  "groups",
  "members",
  "transitiveMembers",
  "transitiveMemberOf",
  "users",
  // ARM: Microsoft.Authorization and cluster discovery
  "roleAssignmentScheduleRequests",
  "roleAssignmentSchedules",
  "roleAssignmentScheduleInstances",
  "roleAssignments",
  "roleDefinitions",
  "managedClusters",
]);

/** Graph actions: POST to a segment that names what happens, not a collection. */
const ACTIONS = new Set(["revokeSignInSessions", "sendMail"]);

/**
 * "roleAssignments.create" for `PUT …/providers/Microsoft.Authorization/roleAssignments/{name}`,
 * "members.add" for `POST /groups/{id}/members/$ref`: the innermost known collection of the path and
 * what the method did to it. Ids and query strings (filters, skip tokens) never reach the label.
 */
export function providerOperation(method: string, path: string): string {
  const segments = (path.split("?")[0] ?? "").split("/").filter(Boolean);
  const verb = method.toUpperCase();
  for (let index = segments.length - 1; index >= 0; index -= 1) {
    const segment = segments[index]!;
    if (ACTIONS.has(segment)) return verb === "POST" && index === segments.length - 1 ? segment : "other";
    if (!COLLECTIONS.has(segment)) continue;
    const rest = segments.slice(index + 1);
    const action = actionOn(verb, rest.length > 0 && rest.at(-1) !== "$ref", rest.at(-1) === "$ref");
    return action ? `${segment}.${action}` : "other";
  }
  return "other";
}

function actionOn(verb: string, isItem: boolean, isReference: boolean): string | undefined {
  if (isReference) return verb === "POST" ? "add" : verb === "DELETE" ? "remove" : undefined;
  switch (verb) {
    case "GET":
      return isItem ? "get" : "list";
    case "PUT":
    case "POST":
      return "create";
    case "PATCH":
      return "update";
    case "DELETE":
      return "delete";
    default:
      return undefined;
  }
}

/** HTTP status as a label: "201", "429", or "none" when no response came (refused, dropped, timed out). */
export const statusLabel = (status: number | null) => (status === null ? "none" : String(status));

/** Seconds from one instant to a later one; never negative, so that clock skew cannot make a histogram lie low. */
export const secondsBetween = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);
