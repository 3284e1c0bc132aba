import "server-only";
import {
  listAllRequestsPage,
  listApprovableRequestsPage,
  listMyRequestsPage,
  type RequestPage,
} from "@/lib/access/request-queries";
import type { SessionUser } from "@/lib/context";
import type { RequestScope } from "./schemas";

/**
 * One page of the requests in one of the API's scopes, newest first. Each query authorizes its own
 * scope (`approvable` needs request.approve, `all` needs audit.read), so a refused scope is a 403,
 * not an empty list.
 */
export async function listRequestsInScope(viewer: SessionUser, scope: RequestScope, page = 1): Promise<RequestPage> {
  switch (scope) {
    case "mine":
      return listMyRequestsPage(viewer, { page });
    case "approvable":
      return listApprovableRequestsPage(viewer, { page });
    case "all":
      return listAllRequestsPage(viewer, { page });
    default:
      return scope satisfies never;
  }
}
