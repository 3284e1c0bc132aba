import "server-only";
import { listAllRequests, listApprovableRequests, listMyRequests, type RequestView } from "@/lib/access/queries";
import type { SessionUser } from "@/lib/auth/session";
import type { RequestScope } from "./schemas";

/**
 * The requests in one of the API's scopes. Each query authorizes its own scope (`approvable`
 * needs request.approve, `all` needs audit.read), so a refused scope is a 403, not an empty list.
 */
export async function listRequestsInScope(viewer: SessionUser, scope: RequestScope): Promise<RequestView[]> {
  switch (scope) {
    case "mine":
      return listMyRequests(viewer);
    case "approvable":
      return listApprovableRequests(viewer);
    case "all":
      return listAllRequests(viewer);
    default:
      return scope satisfies never;
  }
}
