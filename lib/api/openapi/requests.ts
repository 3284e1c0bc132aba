/** The operations on access requests: list, file, read, decide, and act on the access they give. */
import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { ZRequestPage, ZRequestView } from "@/lib/schemas/request-view";
import {
  ZApiApproveInput,
  ZApiDeactivateInput,
  ZApiDecisionInput,
  ZApiExtendInput,
  ZApiRequestAccessInput,
  ZApiRevokeInput,
  ZListRequestsQuery,
} from "../schemas";
import {
  AUTHENTICATED_ERRORS,
  BODY_ERRORS,
  jsonBody,
  onOneRequest,
  readWithQuery,
  responses,
  success,
  withCorrelationId,
  type ErrorResponse,
} from "./responses";

const HOLDER_ERRORS: ErrorResponse[] = [...BODY_ERRORS, ...AUTHENTICATED_ERRORS, "NotFound", "Conflict"];

/** A POST on one request that answers with the request after the change. */
const onRequest = (
  operation: Pick<ZodOpenApiOperationObject, "operationId" | "summary" | "description" | "requestBody">,
  ...errors: ErrorResponse[]
): { post: ZodOpenApiOperationObject } => ({
  post: {
    ...operation,
    tags: ["requests"],
    requestParams: onOneRequest,
    responses: responses({ "200": success("The request after the change.", ZRequestView) }, ...errors),
  },
});

export const requestPaths: ZodOpenApiPathsObject = {
  "/api/v1/requests": {
    get: readWithQuery(
      {
        operationId: "listRequests",
        summary: "List requests",
        description:
          "Newest first, 50 a page (`page`, from 1; `hasNextPage` says whether there are more). `mine` (default): the caller's own. `approvable`: every pending request routed to the caller's approver groups, however many others are pending (needs the approver role). `all`: everyone's (needs the auditor or admin role).",
        tags: ["requests"],
      },
      ZListRequestsQuery,
      success("The requests in that scope.", ZRequestPage),
    ),
    post: {
      operationId: "requestAccess",
      summary: "Request access",
      description:
        "Files a request for a role on a cluster. Checked against the role's policy; a refused request stores nothing. A role without required approval (self-activation), or a break-glass request where allowed, is approved at once. Refused with 409 `CONFLICT` when the caller already has a pending request for the same role, cluster and an overlapping time (`error.link` points to it), already has that access active then (`error.link`: extend it instead), or has MAX_OPEN_REQUESTS_PER_ROLE open requests for the role; with 429 when the caller filed too many requests lately.",
      tags: ["requests"],
      requestParams: withCorrelationId,
      requestBody: jsonBody(ZApiRequestAccessInput, true),
      responses: responses(
        {
          "201": success("The new request.", ZRequestView, {
            location: z.string().meta({ description: "The request's URL." }),
          }),
        },
        ...BODY_ERRORS,
        ...AUTHENTICATED_ERRORS,
        "Conflict",
        "TooManyRequests",
      ),
    },
  },
  "/api/v1/requests/{id}": {
    get: {
      operationId: "getRequest",
      summary: "One request",
      tags: ["requests"],
      requestParams: onOneRequest,
      responses: responses({ "200": success("The request.", ZRequestView) }, ...AUTHENTICATED_ERRORS, "NotFound"),
    },
  },
  "/api/v1/requests/{id}/approve": onRequest(
    {
      operationId: "approveRequest",
      summary: "Approve a request",
      description:
        "Adds the caller's approval. The request is approved once it has as many distinct approvals as its policy requires, and its activation is then queued. Only members of the role's approver groups may approve, never their own request; group membership is checked live with Microsoft Graph. `comment` is optional. When the role's policy has `stepUp`, `stepUpToken` is required: the ID token (audience: this app's client id) of the caller's own sign-in no older than the policy's `maxAge`, carrying its authentication context in `acrs` if the policy names one; otherwise the answer is 403 `STEP_UP_REQUIRED` and nothing is recorded. The audit event of the approval records the token's `auth_time`, `acrs`, `amr` and `uti`.",
      requestBody: jsonBody(ZApiApproveInput, false),
    },
    ...HOLDER_ERRORS,
    "TooManyRequests",
  ),
  "/api/v1/requests/{id}/deny": onRequest(
    {
      operationId: "denyRequest",
      summary: "Deny a request",
      description:
        "Denies a pending request routed to the caller's approver groups. `comment` is required: the requester reads it.",
      requestBody: jsonBody(ZApiDecisionInput, true),
    },
    ...HOLDER_ERRORS,
    "TooManyRequests",
  ),
  "/api/v1/requests/{id}/cancel": onRequest(
    {
      operationId: "cancelRequest",
      summary: "Cancel one's own request",
      description:
        "The requester withdraws their request while it is still pending. The body may be omitted; a `comment` is recorded with the cancellation.",
      requestBody: jsonBody(ZApiDecisionInput, false),
    },
    ...HOLDER_ERRORS,
  ),
  "/api/v1/requests/{id}/extend": onRequest(
    {
      operationId: "extendRequest",
      summary: "Extend one's active access",
      description:
        "The holder pushes the end of their active access out by `duration`. Allowed only where the role's policy allows extensions without approval, and only up to its maximum total duration counted from the start: the request's `extension.maxMoreMinutes` says how much is left. A refused extension is a 400 with a `duration` field error that says why; someone else's request is a 404. The new end is applied at Entra ID and Azure within seconds.",
      requestBody: jsonBody(ZApiExtendInput, true),
    },
    ...HOLDER_ERRORS,
  ),
  "/api/v1/requests/{id}/deactivate": onRequest(
    {
      operationId: "deactivateRequest",
      summary: "End one's active access early",
      description:
        "The holder ends their active access now. Grants no other request of theirs covers are removed within seconds (and, where the role's policy says so, their Entra ID sign-in sessions are revoked). The body may be omitted; a `comment` is recorded. Someone else's request is a 404.",
      requestBody: jsonBody(ZApiDeactivateInput, false),
    },
    ...HOLDER_ERRORS,
  ),
  "/api/v1/requests/{id}/revoke": onRequest(
    {
      operationId: "revokeRequest",
      summary: "Revoke anyone's access (admins)",
      description:
        "A platform admin takes access away: active access ends now, approved or scheduled access never starts. The holder and the auditors see the `reason`, which is required. `endSessions` also revokes the holder's Entra ID sign-in sessions (the role's policy may ask for that anyway). Needs the admin role (403 otherwise).",
      requestBody: jsonBody(ZApiRevokeInput, true),
    },
    ...HOLDER_ERRORS,
  ),
  "/api/v1/requests/{id}/retry": onRequest(
    {
      operationId: "retryActivation",
      summary: "Retry a failed activation (admins)",
      description:
        "A platform admin tries a failed activation again, once the cause is fixed: the request returns to `approved` and its activation is queued; the access period starts when it succeeds. No body. Needs the admin role (403 otherwise); a request that has not failed is a 409.",
    },
    ...AUTHENTICATED_ERRORS,
    "NotFound",
    "Conflict",
  ),
};
