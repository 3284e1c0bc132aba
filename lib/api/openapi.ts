import "server-only";
import { z } from "zod";
import { AUTHORITY } from "@/lib/auth/msal";
import { sessionCookieName } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { REQUEST_STATUSES } from "@/lib/domain/request-state";
import { APP_ERROR_STATUS } from "@/lib/errors";
import type { GrantView } from "@/lib/access/grant-queries";
import { EXPORT_FORMAT_NAMES } from "@/lib/audit/export";
import { AUDIT_EVENT_TYPES, type AuditSearchEvent, type AuditSearchInput } from "@/lib/audit/search";
import type { VerificationView } from "@/lib/audit/verification";
import {
  GRANT_SCOPES,
  REQUEST_SCOPES,
  ZApiAuditSearchQuery,
  ZApiApproveInput,
  ZApiDecisionInput,
  ZApiExtendInput,
  ZApiRequestAccessInput,
  ZApiRevokeInput,
} from "./schemas";

/**
 * The OpenAPI 3.1 description of /api/v1, written by hand next to the routes it describes. Input
 * schemas are generated from the zod schemas the routes parse with, so they cannot drift; the
 * output schemas mirror RequestView, GrantView and eligibleRoles, and test/integration/api.test.ts checks
 * them against real answers.
 */

type Schema = { [keyword: string]: unknown };

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Array<{ $ref: string }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: Schema } } };
  responses: Record<string, { $ref: string } | { description: string; headers?: Schema; content?: Schema }>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, { get?: Operation; post?: Operation }>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { description: string; headers: Schema; content: Schema }>;
    parameters: Record<string, Schema>;
    headers: Record<string, Schema>;
    securitySchemes: Record<string, Schema>;
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ "application/json": { schema } });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });
const dateTime: Schema = { type: "string", format: "date-time" };

/**
 * A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), with a description per property
 * and, optionally, example bodies.
 */
function fromZod(schema: z.ZodType, descriptions: Record<string, string>, examples?: Schema[]): Schema {
  const { $schema: _dialect, ...generated } = z.toJSONSchema(schema, { io: "input" }) as Schema;
  const properties = generated.properties as Record<string, Schema>;
  for (const [name, description] of Object.entries(descriptions))
    properties[name] = { description, ...properties[name] };
  return examples ? { ...generated, examples } : generated;
}

const ERROR_RESPONSES = {
  BadRequest: [400, "Invalid input: malformed JSON, a field that fails validation or a request the policy refuses."],
  Unauthenticated: [401, "No valid session cookie or bearer token."],
  Forbidden: [
    403,
    "Not allowed: missing permission, not eligible, not an approver of this request, self-approval, an app-only token, a cookie-authenticated POST without this site's Origin, or (`STEP_UP_REQUIRED`) a role whose policy needs a fresh sign-in that the request did not prove.",
  ],
  NotFound: [404, "No such request, or the caller may not see it (or, for the holder's actions, is not theirs)."],
  PayloadTooLarge: [413, "The body is over 64 KiB (65,536 bytes), chunked or not; nothing was recorded."],
  UnsupportedMediaType: [415, "A body sent without `Content-Type: application/json`; nothing was recorded."],
  Conflict: [
    409,
    "The request is not in a state that allows this (already decided, cancelled, timed out, not active, not failed).",
  ],
  TooManyRequests: [
    429,
    "A rate limit is used up (RATE_LIMITED): too many requests filed, decisions, exports or step-up sign-ins by the caller in the window (RATE_LIMIT_* settings). Nothing was recorded; retry after the `Retry-After` seconds.",
  ],
  UpstreamFailure: [502, "Entra ID or Microsoft Graph did not answer as expected; nothing was recorded."],
  Unavailable: [
    503,
    "The database is not answering now (a restart or failover); nothing was recorded. Retry after the `Retry-After` seconds.",
  ],
  InternalError: [500, "Unexpected failure; the message carries a reference to give to an admin."],
} as const;

type ErrorResponse = keyof typeof ERROR_RESPONSES;

/** Operation responses: the success response plus the listed errors and the 503 and 500 every call can give. */
function responses(success: Record<string, Operation["responses"][string]>, ...errors: ErrorResponse[]) {
  const all: Operation["responses"] = { ...success };
  for (const name of [...errors, "Unavailable" as const, "InternalError" as const]) {
    all[String(ERROR_RESPONSES[name][0])] = { $ref: `#/components/responses/${name}` };
  }
  return all;
}

const success = (description: string, schema: Schema, extraHeaders: Schema = {}) => ({
  description,
  headers: { "x-correlation-id": { $ref: "#/components/headers/CorrelationId" }, ...extraHeaders },
  content: json(schema),
});

const AUTHENTICATED_ERRORS: ErrorResponse[] = ["Unauthenticated", "Forbidden", "UpstreamFailure"];
/** What any operation that takes a JSON body may answer about the body itself. */
const BODY_ERRORS: ErrorResponse[] = ["BadRequest", "PayloadTooLarge", "UnsupportedMediaType"];

function decisionOperation(verb: "approve" | "deny" | "cancel"): Operation {
  const about = {
    approve: {
      summary: "Approve a request",
      description:
        "Adds the caller's approval. The request is approved once it has as many distinct approvals as its policy requires, and its activation is then queued. Only members of the role's approver groups may approve, never their own request; group membership is checked live with Microsoft Graph. `comment` is optional. When the role's policy has `stepUp`, `stepUpToken` is required: the ID token (audience: this app's client id) of the caller's own sign-in no older than the policy's `maxAge`, carrying its authentication context in `acrs` if the policy names one; otherwise the answer is 403 `STEP_UP_REQUIRED` and nothing is recorded. The audit event of the approval records the token's `auth_time`, `acrs`, `amr` and `uti`.",
    },
    deny: {
      summary: "Deny a request",
      description:
        "Denies a pending request routed to the caller's approver groups. `comment` is required: the requester reads it.",
    },
    cancel: {
      summary: "Cancel one's own request",
      description:
        "The requester withdraws their request while it is still pending. The body may be omitted; a `comment` is recorded with the cancellation.",
    },
  }[verb];
  return {
    operationId: `${verb}Request`,
    ...about,
    tags: ["requests"],
    parameters: [{ $ref: "#/components/parameters/RequestId" }, { $ref: "#/components/parameters/CorrelationId" }],
    requestBody: {
      required: verb === "deny",
      content: json(ref(verb === "approve" ? "ApproveInput" : "DecisionInput")),
    },
    responses: responses(
      { "200": success("The request after the change.", ref("RequestView")) },
      ...BODY_ERRORS,
      ...AUTHENTICATED_ERRORS,
      "NotFound",
      "Conflict",
      ...(verb === "cancel" ? [] : (["TooManyRequests"] as const)),
    ),
  };
}

const requestAction = (
  operation: Omit<Operation, "tags" | "parameters" | "responses">,
  ...errors: ErrorResponse[]
) => ({
  ...operation,
  tags: ["requests"],
  parameters: [{ $ref: "#/components/parameters/RequestId" }, { $ref: "#/components/parameters/CorrelationId" }],
  responses: responses({ "200": success("The request after the change.", ref("RequestView")) }, ...errors),
});

const HOLDER_ERRORS: ErrorResponse[] = [...BODY_ERRORS, ...AUTHENTICATED_ERRORS, "NotFound", "Conflict"];

const EXTEND = requestAction(
  {
    operationId: "extendRequest",
    summary: "Extend one's active access",
    description:
      "The holder pushes the end of their active access out by `duration`. Allowed only where the role's policy allows extensions without approval, and only up to its maximum total duration counted from the start: the request's `extension.maxMoreMinutes` says how much is left. A refused extension is a 400 with a `duration` field error that says why; someone else's request is a 404. The new end is applied at Entra ID and Azure within seconds.",
    requestBody: { required: true, content: json(ref("ExtendInput")) },
  },
  ...HOLDER_ERRORS,
);

const DEACTIVATE = requestAction(
  {
    operationId: "deactivateRequest",
    summary: "End one's active access early",
    description:
      "The holder ends their active access now. Grants no other request of theirs covers are removed within seconds (and, where the role's policy says so, their Entra ID sign-in sessions are revoked). The body may be omitted; a `comment` is recorded. Someone else's request is a 404.",
    requestBody: { required: false, content: json(ref("DeactivateInput")) },
  },
  ...HOLDER_ERRORS,
);

const REVOKE = requestAction(
  {
    operationId: "revokeRequest",
    summary: "Revoke anyone's access (admins)",
    description:
      "A platform admin takes access away: active access ends now, approved or scheduled access never starts. The holder and the auditors see the `reason`, which is required. `endSessions` also revokes the holder's Entra ID sign-in sessions (the role's policy may ask for that anyway). Needs the admin role (403 otherwise).",
    requestBody: { required: true, content: json(ref("RevokeInput")) },
  },
  ...HOLDER_ERRORS,
);

const RETRY = requestAction(
  {
    operationId: "retryActivation",
    summary: "Retry a failed activation (admins)",
    description:
      "A platform admin tries a failed activation again, once the cause is fixed: the request returns to `approved` and its activation is queued; the access period starts when it succeeds. No body. Needs the admin role (403 otherwise); a request that has not failed is a 409.",
  },
  ...AUTHENTICATED_ERRORS,
  "NotFound",
  "Conflict",
);

const TEXT_RULE: Schema = {
  type: "object",
  properties: {
    isRequired: { type: "boolean" },
    pattern: { type: "string", description: "A regular expression the whole value must match." },
    message: { type: "string", description: "What to tell the requester when the pattern does not match." },
  },
  required: ["isRequired"],
};

const minutes = (description: string): Schema => ({ type: "integer", minimum: 0, description });

const ROLE_POLICY: Schema = {
  type: "object",
  description: "A role's policy, as in the access catalog; durations in whole minutes.",
  properties: {
    eligibleGroupIds: { type: "array", items: { type: "string", format: "uuid" } },
    approverGroupIds: { type: "array", items: { type: "string", format: "uuid" } },
    approvalsRequired: { type: "integer", minimum: 0, description: "0: self-activation, approved by policy." },
    maxDurationMinutes: minutes("The longest duration a request may ask for."),
    defaultDurationMinutes: minutes("The duration suggested to requesters."),
    justification: ref("TextRule"),
    ticket: ref("TextRule"),
    pendingTimeoutMinutes: minutes("A request without enough approvals after this long times out."),
    isScheduledStartAllowed: { type: "boolean" },
    maxStartAheadMinutes: minutes("How far ahead `startAt` may be, when scheduled starts are allowed."),
    isBreakGlassAllowed: { type: "boolean" },
    extension: {
      type: "object",
      description: "Whether the holder may extend active access, and how far.",
      properties: {
        isAllowed: { type: "boolean" },
        maxTotalMinutes: minutes("The longest the access may last in all, counted from its start."),
        isApprovalRequired: {
          type: "boolean",
          description: "true: extending is a new request for approvers, which joins the current access.",
        },
      },
      required: ["isAllowed", "maxTotalMinutes", "isApprovalRequired"],
    },
    isSessionRevokedOnEnd: {
      type: "boolean",
      description: "Ending access early or revoking it also revokes the holder's Entra ID sign-in sessions.",
    },
  },
  required: [
    "eligibleGroupIds",
    "approverGroupIds",
    "approvalsRequired",
    "maxDurationMinutes",
    "defaultDurationMinutes",
    "justification",
    "ticket",
    "pendingTimeoutMinutes",
    "isScheduledStartAllowed",
    "maxStartAheadMinutes",
    "isBreakGlassAllowed",
    "extension",
    "isSessionRevokedOnEnd",
  ],
};

const CATALOG: Schema = {
  type: "object",
  properties: {
    clusters: {
      type: "array",
      description: "Only clusters with at least one role the caller is eligible for.",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          displayName: { type: "string" },
          environment: { type: "string" },
          roles: {
            type: "array",
            items: {
              type: "object",
              properties: { name: { type: "string" }, description: { type: "string" }, policy: ref("RolePolicy") },
              required: ["name", "description", "policy"],
            },
          },
        },
        required: ["name", "displayName", "environment", "roles"],
      },
    },
  },
  required: ["clusters"],
};

const REQUEST_VIEW: Schema = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    clusterName: { type: "string" },
    roleName: { type: "string" },
    status: ref("RequestStatus"),
    statusLabel: { type: "string", description: "The status in words." },
    durationMinutes: { type: "integer", minimum: 1 },
    justification: { type: "string" },
    ticket: nullable({ type: "string" }),
    startAt: nullable({ ...dateTime, description: "null: starts as soon as approved." }),
    isBreakGlass: { type: "boolean" },
    approvalsRequired: { type: "integer", minimum: 0 },
    pendingExpiresAt: { ...dateTime, description: "When a request still pending times out." },
    activeFrom: nullable({ ...dateTime, description: "When the access period started, once activated." }),
    activeUntil: nullable({ ...dateTime, description: "When the access period ends, once activated." }),
    createdAt: dateTime,
    requester: {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        userPrincipalName: { type: "string" },
        displayName: { type: "string" },
      },
      required: ["id", "userPrincipalName", "displayName"],
    },
    decisions: {
      type: "array",
      items: {
        type: "object",
        properties: {
          outcome: { type: "string", enum: ["approve", "deny"] },
          comment: nullable({ type: "string" }),
          decidedAt: dateTime,
          by: { type: "string", description: "The decider's display name." },
          byUpn: { type: "string" },
        },
        required: ["outcome", "comment", "decidedAt", "by", "byUpn"],
      },
    },
    canDecide: { type: "boolean", description: "Whether the caller may approve or deny it now." },
    cannotDecideReason: nullable({ type: "string", description: "Why not, in words." }),
    stepUp: nullable({
      type: "object",
      description:
        "Approving (and break-glass) needs a fresh sign-in: send `stepUpToken`, the ID token of a sign-in at most `maxAgeMinutes` old carrying `authenticationContext` (if not null) in `acrs`.",
      properties: {
        maxAgeMinutes: { type: "integer", minimum: 1 },
        authenticationContext: nullable({ type: "string", pattern: "^c[0-9]{1,2}$" }),
      },
      required: ["maxAgeMinutes", "authenticationContext"],
    }),
    canCancel: { type: "boolean", description: "Whether the caller may cancel it now." },
    canEndEarly: { type: "boolean", description: "Whether the caller may end the active access now." },
    effectiveUntil: nullable({
      ...dateTime,
      description:
        "`activeUntil` plus the longest lifetime of access tokens issued before it: when the access is surely unusable.",
    }),
    failureReason: nullable({ type: "string", description: "Why the activation failed, in the service's words." }),
    deferredRemoval: nullable({
      type: "object",
      description:
        "Access that ended but that PIM keeps for its minimum of 5 minutes after activation: when it is removed (`at`) and why, in words. Only when reading one request; null in lists.",
      properties: { at: dateTime, message: { type: "string" } },
      required: ["at", "message"],
    }),
    canExtend: { type: "boolean", description: "Whether the caller, the holder, may extend the active access now." },
    extension: nullable({
      type: "object",
      description: "For the holder of active access whose role allows extensions: how they may extend it.",
      properties: {
        isApprovalRequired: {
          type: "boolean",
          description: "true: extending is a new request for approvers, not a call to `extend`.",
        },
        maxMoreMinutes: minutes("How much longer the access may still last, within the role's maximum total."),
      },
      required: ["isApprovalRequired", "maxMoreMinutes"],
    }),
    canRevoke: { type: "boolean", description: "Whether the caller, an admin, may revoke it now." },
    canRetry: { type: "boolean", description: "Whether the caller, an admin, may retry its failed activation now." },
    commands: {
      type: "array",
      description: "For the holder of active access: the commands that use it. Empty otherwise.",
      items: {
        type: "object",
        properties: {
          label: { type: "string", description: "What the command does." },
          command: { type: "string", description: "The command line, to run as it is." },
        },
        required: ["label", "command"],
      },
    },
  },
  required: [
    "id",
    "clusterName",
    "roleName",
    "status",
    "statusLabel",
    "durationMinutes",
    "justification",
    "ticket",
    "startAt",
    "isBreakGlass",
    "approvalsRequired",
    "pendingExpiresAt",
    "activeFrom",
    "activeUntil",
    "createdAt",
    "requester",
    "decisions",
    "canDecide",
    "cannotDecideReason",
    "stepUp",
    "canCancel",
    "canEndEarly",
    "effectiveUntil",
    "failureReason",
    "deferredRemoval",
    "canExtend",
    "extension",
    "canRevoke",
    "canRetry",
    "commands",
  ],
};

// A Record, so that the compiler insists on every kind a GrantView may carry, and on no other.
const GRANT_KINDS: Record<GrantView["kind"], string> = {
  entraPimGroup: "time-bound PIM membership of an Entra group",
  entraGroup: "plain membership of an Entra group",
  armPim: "time-bound PIM role assignment in Azure",
  armRoleAssignment: "plain Azure role assignment",
};

const GRANT_VIEW: Schema = {
  type: "object",
  description:
    "One access currently granted to one person at Entra ID or Azure. Overlapping requests for the same access share one grant, which lasts until the last of them ends.",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: {
      type: "string",
      enum: Object.keys(GRANT_KINDS),
      description: Object.entries(GRANT_KINDS)
        .map(([kind, words]) => `\`${kind}\`: ${words}`)
        .join("; "),
    },
    bindingKey: {
      type: "string",
      description: "What is granted: the kind and the group, or the kind, role definition and scope.",
    },
    holder: {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        userPrincipalName: { type: "string" },
        displayName: { type: "string" },
      },
      required: ["id", "userPrincipalName", "displayName"],
    },
    endAt: { ...dateTime, description: "When the grant ends: the latest end of the requests it covers." },
    effectiveEndAt: {
      ...dateTime,
      description: "`endAt` plus the longest lifetime of access tokens issued before it: when it is surely unusable.",
    },
    appliedAt: nullable({ ...dateTime, description: "When the service confirmed it; null: not applied yet." }),
    requests: {
      type: "array",
      description: "The requests this grant serves, soonest end first.",
      items: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          clusterName: { type: "string" },
          roleName: { type: "string" },
          status: ref("RequestStatus"),
          endAt: { ...dateTime, description: "When this request's share of the grant ends." },
        },
        required: ["id", "clusterName", "roleName", "status", "endAt"],
      },
    },
  },
  required: ["id", "kind", "bindingKey", "holder", "endAt", "effectiveEndAt", "appliedAt", "requests"],
};

const CHAIN_LINK: Schema = {
  type: "object",
  properties: { seq: { type: "string" }, prevHash: { type: "string" }, hash: { type: "string" } },
  required: ["seq", "prevHash", "hash"],
};

const EVIDENCE_PACK: Schema = {
  type: "object",
  description: "Checked offline by `npm run audit:verify -- --pack FILE` (lib/audit/evidence-check.ts).",
  properties: {
    format: { type: "string", const: "aks-jit-evidence/1" },
    generatedAt: dateTime,
    generatedBy: { type: "string" },
    requestId: { type: "string", format: "uuid" },
    request: ref("RequestView"),
    events: {
      type: "array",
      description: "Every audit event of the request, in chain order, with its content and hashes.",
      items: { type: "object", required: ["seq", "id", "occurredAt", "type", "data", "prevHash", "hash"] },
    },
    chain: { type: "array", description: "The chain from the request's first event to its last.", items: CHAIN_LINK },
  },
  required: ["format", "generatedAt", "generatedBy", "requestId", "request", "events", "chain"],
};

const AUDIT_VERIFICATION: Schema = {
  type: "object",
  properties: {
    ranAt: dateTime,
    ranBy: nullable({ type: "string", description: "Who ran it." }),
    events: { type: "integer", minimum: 0, description: "Chained events checked (up to the first broken link)." },
    unchained: { type: "integer", minimum: 0, description: "Events recorded before the chain began." },
    isIntact: { type: "boolean" },
    broken: nullable({
      type: "object",
      description: "The first broken link: the event's sequence number and what is wrong with it.",
      properties: { seq: { type: "string" }, reason: { type: "string" } },
      required: ["seq", "reason"],
    }),
    lastSeq: nullable({ type: "string", description: "The last event checked: an anchor for a later run." }),
    lastHash: nullable({ type: "string", description: "Its hash." }),
    durationMs: { type: "integer", minimum: 0 },
  },
  required: ["ranAt", "ranBy", "events", "unchained", "isIntact", "broken", "lastSeq", "lastHash", "durationMs"],
} satisfies Schema & { properties: Record<keyof VerificationView, Schema> };

const AUDIT_EVENT: Schema = {
  type: "object",
  description:
    "One event of the audit history. `clusterName`, `roleName` and `requesterUpn` are those of the request the event belongs to (null for events of no request).",
  properties: {
    seq: { type: "string", description: "Its place in the history (a 64-bit integer, as text)." },
    occurredAt: dateTime,
    type: { type: "string", enum: [...AUDIT_EVENT_TYPES] },
    actorUpn: nullable({ type: "string", description: "Who acted, as recorded; null for the system and policies." }),
    requestId: nullable({ type: "string", format: "uuid", description: "The request: `GET /api/v1/requests/{id}`." }),
    clusterName: nullable({ type: "string" }),
    roleName: nullable({ type: "string" }),
    requesterUpn: nullable({ type: "string", description: "Who filed the request." }),
    data: { type: "object", description: "What the event records; its shape depends on `type`." },
  },
  required: ["seq", "occurredAt", "type", "actorUpn", "requestId", "clusterName", "roleName", "requesterUpn", "data"],
} satisfies Schema & { properties: Record<keyof AuditSearchEvent, Schema> };

const AUDIT_PAGE: Schema = {
  type: "object",
  properties: {
    events: { type: "array", items: ref("AuditEvent"), description: "Newest first." },
    nextCursor: nullable({
      type: "string",
      description: "Pass as `cursor` for the next, older page; null: last page.",
    }),
    count: {
      type: "integer",
      minimum: 0,
      description:
        "How many events match the filters, on all pages. By default counting stops past 10,000: then `count` is 10,000 and `isCountExact` false. `count=exact` counts every match.",
    },
    isCountExact: { type: "boolean", description: "false when `count` is a lower bound (10,000)." },
  },
  required: ["events", "nextCursor", "count"],
};

// A Record, so that the compiler insists on a description for every parameter the search takes.
const AUDIT_QUERY: Record<keyof AuditSearchInput, [component: string, description: string]> = {
  from: ["AuditFrom", "Events at or after this time (ISO 8601 with its offset)."],
  to: ["AuditTo", "Events before this time (ISO 8601 with its offset)."],
  actor: ["AuditActor", "Who acted: the UPN recorded with the event, in any case."],
  requester: ["AuditRequester", "Whose request the event belongs to: the requester's UPN, in any case."],
  cluster: ["AuditCluster", "The request's cluster, e.g. aks-prod-weu."],
  role: ["AuditRole", "The request's role, e.g. admin."],
  type: ["AuditType", "Event types; repeat the parameter for several (any of them matches)."],
  requestId: ["AuditRequestId", "The events of one request."],
  q: [
    "AuditText",
    "Text anywhere in the request's justification or ticket, or in the event's comment or reason, in any case (% and _ are plain characters).",
  ],
  limit: ["AuditLimit", "Events per page."],
  count: ["AuditCount", "`exact` counts every match (slower on large histories); by default counting stops at 10,000."],
  cursor: ["AuditCursor", "The previous page's `nextCursor`."],
};

/** The search's query parameters, their schemas generated from the zod schema the routes parse with. */
function auditParameters() {
  const { properties } = z.toJSONSchema(ZApiAuditSearchQuery, { io: "input" }) as {
    properties: Record<string, Schema>;
  };
  const parameters: Record<string, Schema> = {};
  for (const [name, [component, description]] of Object.entries(AUDIT_QUERY)) {
    parameters[component] = { name, in: "query", required: false, description, schema: properties[name] };
  }
  // Documented as what clients send: the parameter repeated (the schema also takes a single value).
  parameters.AuditType = {
    ...parameters.AuditType,
    style: "form",
    explode: true,
    schema: { type: "array", items: { type: "string", enum: [...AUDIT_EVENT_TYPES] } },
  };
  parameters.AuditExportFormat = {
    name: "format",
    in: "query",
    required: true,
    schema: { type: "string", enum: [...EXPORT_FORMAT_NAMES] },
  };
  return parameters;
}

const AUDIT_FILTERS = (["from", "to", "actor", "requester", "cluster", "role", "type", "requestId", "q"] as const).map(
  (name) => ({ $ref: `#/components/parameters/${AUDIT_QUERY[name][0]}` }),
);

const ERROR: Schema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string", enum: [...Object.keys(APP_ERROR_STATUS), "INTERNAL"] },
        message: { type: "string", description: "What went wrong and what to do, in words for people." },
        link: {
          type: "object",
          description:
            "Where to go instead: for a 409 on filing, the existing request that makes the new one a duplicate (or the active access to extend).",
          properties: { href: { type: "string" }, label: { type: "string" } },
          required: ["href", "label"],
        },
        fields: {
          type: "array",
          description: "Per input field, for 400 answers about the body or query.",
          items: {
            type: "object",
            properties: { field: { type: "string" }, message: { type: "string" } },
            required: ["field", "message"],
          },
        },
      },
      required: ["code", "message"],
    },
  },
  required: ["error"],
};

export function openApiDocument(): OpenApiDocument {
  const apiScope = `api://${env.ENTRA_CLIENT_ID}/access_as_user`;
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([name, [, description]]) => [
      name,
      {
        description,
        headers: {
          "x-correlation-id": { $ref: "#/components/headers/CorrelationId" },
          ...(name === "TooManyRequests"
            ? { "retry-after": { description: "Seconds until a retry may succeed.", schema: { type: "integer" } } }
            : {}),
        },
        content: json(ref("Error")),
      },
    ]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "AKS JIT API",
      version: "1.0.0",
      description:
        "Just-in-time, approved, time-bound access to AKS clusters, for scripts and the CLI. The same rules as the dashboard apply: eligibility, policy, approvals and audit. Every answer carries `x-correlation-id` (send your own to tie your logs to ours) and `Cache-Control: no-store`.",
    },
    servers: [{ url: env.APP_URL }],
    security: [{ entraId: [apiScope] }, { sessionCookie: [] }],
    tags: [
      { name: "catalog", description: "What the caller may request." },
      { name: "requests", description: "Access requests, their decisions, and the access they give." },
      { name: "grants", description: "The access currently granted." },
      { name: "audit", description: "The audit history: search, export and integrity (auditors and admins)." },
      { name: "meta", description: "This document." },
    ],
    paths: {
      "/api/v1/catalog": {
        get: {
          operationId: "getCatalog",
          summary: "Roles the caller may request",
          description: "The clusters and roles the caller is eligible for, each with its policy.",
          tags: ["catalog"],
          parameters: [{ $ref: "#/components/parameters/CorrelationId" }],
          responses: responses({ "200": success("The caller's catalog.", ref("Catalog")) }, ...AUTHENTICATED_ERRORS),
        },
      },
      "/api/v1/requests": {
        get: {
          operationId: "listRequests",
          summary: "List requests",
          description:
            "Newest first, 50 a page (`page`, from 1; `hasNextPage` says whether there are more). `mine` (default): the caller's own. `approvable`: every pending request routed to the caller's approver groups, however many others are pending (needs the approver role). `all`: everyone's (needs the auditor or admin role).",
          tags: ["requests"],
          parameters: [
            { $ref: "#/components/parameters/RequestScope" },
            { $ref: "#/components/parameters/RequestPage" },
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            { "200": success("The requests in that scope.", ref("RequestList")) },
            "BadRequest",
            ...AUTHENTICATED_ERRORS,
          ),
        },
        post: {
          operationId: "requestAccess",
          summary: "Request access",
          description:
            "Files a request for a role on a cluster. Checked against the role's policy; a refused request stores nothing. A role without required approval (self-activation), or a break-glass request where allowed, is approved at once. Refused with 409 `CONFLICT` when the caller already has a pending request for the same role, cluster and an overlapping time (`error.link` points to it), already has that access active then (`error.link`: extend it instead), or has MAX_OPEN_REQUESTS_PER_ROLE open requests for the role; with 429 when the caller filed too many requests lately.",
          tags: ["requests"],
          parameters: [{ $ref: "#/components/parameters/CorrelationId" }],
          requestBody: { required: true, content: json(ref("RequestAccessInput")) },
          responses: responses(
            {
              "201": success("The new request.", ref("RequestView"), {
                location: { description: "The request's URL.", schema: { type: "string" } },
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
          parameters: [
            { $ref: "#/components/parameters/RequestId" },
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            { "200": success("The request.", ref("RequestView")) },
            ...AUTHENTICATED_ERRORS,
            "NotFound",
          ),
        },
      },
      "/api/v1/requests/{id}/approve": { post: decisionOperation("approve") },
      "/api/v1/requests/{id}/deny": { post: decisionOperation("deny") },
      "/api/v1/requests/{id}/cancel": { post: decisionOperation("cancel") },
      "/api/v1/requests/{id}/extend": { post: EXTEND },
      "/api/v1/requests/{id}/deactivate": { post: DEACTIVATE },
      "/api/v1/requests/{id}/revoke": { post: REVOKE },
      "/api/v1/requests/{id}/retry": { post: RETRY },
      "/api/v1/grants": {
        get: {
          operationId: "listGrants",
          summary: "List active grants",
          description:
            "The access granted now, soonest end first, up to 500. `mine` (default): the caller's own. `all`: everyone's (needs the auditor or admin role).",
          tags: ["grants"],
          parameters: [
            { $ref: "#/components/parameters/GrantScope" },
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            { "200": success("The grants in that scope.", ref("GrantList")) },
            "BadRequest",
            ...AUTHENTICATED_ERRORS,
          ),
        },
      },
      "/api/v1/audit": {
        get: {
          operationId: "searchAudit",
          summary: "Search the audit history",
          description:
            "Events matching all the filters given, newest first, a page at a time: pass `nextCursor` back as `cursor` for the next page (pages stay put while new events are recorded). `count` is the number of matches on all pages. Unknown parameters are refused (400), so that a misspelt filter cannot widen the search. Auditors and admins only.",
          tags: ["audit"],
          parameters: [
            ...AUDIT_FILTERS,
            { $ref: "#/components/parameters/AuditLimit" },
            { $ref: "#/components/parameters/AuditCursor" },
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            { "200": success("A page of matching events.", ref("AuditPage")) },
            "BadRequest",
            ...AUTHENTICATED_ERRORS,
          ),
        },
      },
      "/api/v1/audit/export": {
        get: {
          operationId: "exportAudit",
          summary: "Export the audit history",
          description:
            "Every event matching the filters (the search's, without `limit` and `cursor`), newest first, as a file streamed while it is read: CSV with a header row (RFC 4180; columns seq, occurredAt, type, actorUpn, requesterUpn, requestId, clusterName, roleName, justification, ticket, data as JSON, hash; a value starting with =, +, - or @ gets a leading apostrophe so that spreadsheets show it rather than run it), or JSON Lines, one event per line with every stored field (id, actorId, subjectId, correlationId, prevHash and hash too, so that each hash can be checked again) and the request's. A transfer that breaks off is incomplete: check the client's exit status. Auditors and admins only.",
          tags: ["audit"],
          parameters: [
            { $ref: "#/components/parameters/AuditExportFormat" },
            ...AUDIT_FILTERS,
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            {
              "200": {
                description: "The matching events, as an attachment.",
                headers: {
                  "x-correlation-id": { $ref: "#/components/headers/CorrelationId" },
                  "content-disposition": {
                    description: "attachment, with a file name such as audit-events-2026-11-23T09-30-00-000Z.csv",
                    schema: { type: "string" },
                  },
                },
                content: {
                  "text/csv": { schema: { type: "string" } },
                  "application/x-ndjson": { schema: { type: "string" } },
                },
              },
            },
            "BadRequest",
            ...AUTHENTICATED_ERRORS,
            "TooManyRequests",
          ),
        },
      },
      "/api/v1/requests/{id}/evidence": {
        get: {
          operationId: "getEvidencePack",
          summary: "A request's evidence pack",
          description:
            "The request, every audit event of it with its hash, and the run of the hash chain between its first and last event (other events as hashes only), as a JSON file. Check it offline with `npm run audit:verify -- --pack FILE`. Auditors and admins only.",
          tags: ["audit"],
          parameters: [
            { $ref: "#/components/parameters/RequestId" },
            { $ref: "#/components/parameters/CorrelationId" },
          ],
          responses: responses(
            { "200": success("The evidence pack.", ref("EvidencePack")) },
            ...AUTHENTICATED_ERRORS,
            "NotFound",
            "TooManyRequests",
          ),
        },
      },
      "/api/v1/audit/verify": {
        get: {
          operationId: "verifyAuditChain",
          summary: "Verify the audit chain",
          description:
            "Checks every link of the audit history's hash chain now and returns the count and the first broken link, if any. The result is kept (the Audit page shows the latest) and the check is itself recorded. Auditors and admins only.",
          tags: ["audit"],
          parameters: [{ $ref: "#/components/parameters/CorrelationId" }],
          responses: responses(
            { "200": success("The verification's result.", ref("AuditVerification")) },
            ...AUTHENTICATED_ERRORS,
          ),
        },
      },
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          tags: ["meta"],
          security: [],
          responses: { "200": { description: "The OpenAPI 3.1 document.", content: json({ type: "object" }) } },
        },
      },
    },
    components: {
      schemas: {
        RequestAccessInput: fromZod(ZApiRequestAccessInput, {
          cluster: "The cluster's name in the catalog, e.g. aks-prod-weu.",
          role: "The role's name on that cluster, e.g. admin.",
          duration: "ISO 8601 days, hours and minutes, e.g. PT1H or PT1H30M; at most the role's maximum.",
          justification: "Why the access is needed; required by most policies.",
          ticket: "An incident or change reference, when the policy asks for one (its pattern applies).",
          startAt: "A later start with its offset, where the policy allows scheduled starts; absent or null: now.",
          breakGlass: "Emergency access without approval, where allowed: needs a justification and is reviewed.",
          stepUpToken:
            "Break-glass on a role whose policy has `stepUp`: the ID token of the caller's fresh sign-in, as for approving.",
        }),
        DecisionInput: fromZod(ZApiDecisionInput, {
          comment: "Shown to the requester and kept in the audit trail; required to deny.",
        }),
        ApproveInput: fromZod(ZApiApproveInput, {
          comment: "Shown to the requester and kept in the audit trail.",
          stepUpToken:
            "Required when the role's policy has `stepUp`: the ID token of the caller's fresh sign-in (prompt=login, with the policy's authentication context in the `claims` request parameter), no older than the policy's `maxAge`.",
        }),
        ExtendInput: fromZod(
          ZApiExtendInput,
          {
            duration:
              "How much longer, ISO 8601 days, hours and minutes, e.g. PT30M or PT1H; the whole access may last at most the role's maximum total.",
          },
          [{ duration: "PT30M" }],
        ),
        DeactivateInput: fromZod(
          ZApiDecisionInput,
          { comment: "Why the access ends early; kept in the audit trail." },
          [{ comment: "Certificate rotated, done." }],
        ),
        RevokeInput: fromZod(
          ZApiRevokeInput,
          {
            reason: "Why the access is taken away; the holder and the auditors see it.",
            endSessions:
              "Also revoke the holder's Entra ID sign-in sessions (refresh tokens); the role's policy may ask for it anyway.",
          },
          [{ reason: "Laptop reported stolen", endSessions: true }],
        ),
        RequestStatus: { type: "string", enum: [...REQUEST_STATUSES] },
        RequestView: REQUEST_VIEW,
        RequestList: {
          type: "object",
          properties: {
            requests: { type: "array", items: ref("RequestView") },
            page: { type: "integer", minimum: 1, description: "This page's number." },
            pageSize: { type: "integer", minimum: 1 },
            hasNextPage: { type: "boolean", description: "Whether `page + 1` has more (older) requests." },
          },
          required: ["requests", "page", "pageSize", "hasNextPage"],
        },
        GrantView: GRANT_VIEW,
        AuditVerification: AUDIT_VERIFICATION,
        EvidencePack: EVIDENCE_PACK,
        AuditEvent: AUDIT_EVENT,
        AuditPage: AUDIT_PAGE,
        GrantList: {
          type: "object",
          properties: { grants: { type: "array", items: ref("GrantView") } },
          required: ["grants"],
        },
        Catalog: CATALOG,
        RolePolicy: ROLE_POLICY,
        TextRule: TEXT_RULE,
        Error: ERROR,
      },
      responses: errorResponses,
      parameters: {
        RequestId: { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
        RequestScope: {
          name: "scope",
          in: "query",
          required: false,
          schema: { type: "string", enum: [...REQUEST_SCOPES], default: "mine" },
        },
        RequestPage: {
          name: "page",
          in: "query",
          required: false,
          description: "1 for the newest requests, 2 for the next (older) ones, and so on.",
          schema: { type: "integer", minimum: 1, maximum: 10000, default: 1 },
        },
        GrantScope: {
          name: "scope",
          in: "query",
          required: false,
          schema: { type: "string", enum: [...GRANT_SCOPES], default: "mine" },
        },
        ...auditParameters(),
        CorrelationId: {
          name: "x-correlation-id",
          in: "header",
          required: false,
          description: "Your id for this call (letters, digits, `.`, `_`, `:`, `-`; up to 64), echoed back.",
          schema: { type: "string", maxLength: 64 },
        },
      },
      headers: {
        CorrelationId: {
          description: "The id of this call in our logs and audit trail: yours if you sent a usable one.",
          schema: { type: "string" },
        },
      },
      securitySchemes: {
        entraId: {
          type: "oauth2",
          description: `An Entra ID access token for this app's API, delegated (signed in as a person): send \`Authorization: Bearer <token>\`. App-only tokens are refused with 403.`,
          flows: {
            authorizationCode: {
              authorizationUrl: `${AUTHORITY}/oauth2/v2.0/authorize`,
              tokenUrl: `${AUTHORITY}/oauth2/v2.0/token`,
              scopes: { [apiScope]: "Use AKS JIT as the signed-in user." },
            },
          },
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: sessionCookieName(),
          description:
            "The dashboard's session, for calls from a signed-in browser. POST requests must carry this site's `Origin` header, or they are refused with 403 (cross-site request forgery protection).",
        },
      },
    },
  };
}
