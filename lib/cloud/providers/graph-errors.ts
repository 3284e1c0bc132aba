import "server-only";
import { ProviderError, type ProviderErrorKind } from "@/lib/cloud/access-provider";
import type { GraphPermission } from "@/lib/cloud/required-permissions";

/**
 * Microsoft Graph failures as ProviderError, so that the job layer can decide from the kind alone
 * whether to retry. By the time an error reaches here the Graph client has already retried 429, 503
 * and 504 up to 3 times, honouring Retry-After (contract D.3); providers never retry on top of that.
 *
 * Messages are written for the person reading the request's history: "Entra ID refused to make … a
 * member of group …: the following policy rules failed: ExpirationRule."
 */

/** What the SDK's GraphError carries (contract D.2). */
interface GraphErrorShape {
  statusCode: number;
  code: string | null;
  message: string;
  requestId: string | null;
  headers?: { get(name: string): string | null };
}

// Matched by shape rather than `instanceof GraphError`: a bundler may load the SDK twice, and the
// thrown error's class is then not the one imported here.
function asGraphError(error: unknown): GraphErrorShape | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & Partial<GraphErrorShape>;
  return typeof candidate.statusCode === "number" && "requestId" in candidate
    ? (candidate as GraphErrorShape)
    : undefined;
}

/** Errors @azure/identity throws when the app cannot get a token; GraphRequest wraps them with status -1. */
const CREDENTIAL_ERRORS = new Set([
  "AuthenticationError",
  "AggregateAuthenticationError",
  "AuthenticationRequiredError",
  "CredentialUnavailableError",
]);

/** Retry-After as seconds: a number of seconds (Graph sends decimals, e.g. 2.128) or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** `The following policy rules failed: ["ExpirationRule","JustificationRule"]` → the rule names (contract A.8). */
export function parseFailedRules(message: string): string[] {
  const list = /\[([^\]]*)\]/.exec(message)?.[1];
  if (list === undefined) return [];
  return [...list.matchAll(/"([^"]+)"|([A-Za-z]+)/g)].map((m) => m[1] ?? m[2] ?? "").filter(Boolean);
}

/** "HTTP 400 RoleAssignmentExists: The Role assignment already exists" */
function describe(error: GraphErrorShape) {
  const source = [error.statusCode > 0 ? `HTTP ${error.statusCode}` : "", error.code ?? ""].filter(Boolean).join(" ");
  const text = error.message.trim().replace(/\.$/, "");
  return [source, text].filter(Boolean).join(": ");
}

/**
 * "Microsoft Graph refused to … (HTTP 403 Authorization_RequestDenied): the app needs the application
 * permission … with admin consent." Graph answers a call the app's granted permissions do not cover
 * with 403 Authorization_RequestDenied; `permission` is the one lib/cloud/required-permissions.ts
 * grants the app for this operation, so the message says what to grant.
 */
export function missingPermissionMessage(action: string, status: number, code: string, permission: GraphPermission) {
  return `Microsoft Graph refused to ${action} (HTTP ${status} ${code}): the app needs the application permission ${permission} with admin consent.`;
}

/**
 * `action` completes "Entra ID refused to …", e.g. `make 9a41… a member of group ffde…`.
 * Known PIM and membership codes that arrive as a plain 400 are sorted by meaning, not status:
 * RoleAssignmentExists and an existing member are conflicts, RoleAssignmentDoesNotExist is not_found.
 * `permission`: the Graph application permission the operation needs, named when Graph refuses it.
 */
export function toProviderError(error: unknown, action: string, permission?: GraphPermission): ProviderError {
  if (error instanceof ProviderError) return error;
  const graph = asGraphError(error);
  if (!graph) {
    // Not from the Graph client (it wraps fetch failures itself): nothing says that trying again is
    // useless, and the job layer bounds its retries.
    const reason = error instanceof Error ? error.message : String(error);
    return new ProviderError("transient", `Entra ID could not be reached to ${action}: ${reason}`, { cause: error });
  }

  const status = graph.statusCode;
  const details = {
    ...(status > 0 && { status }),
    ...(graph.code && { code: graph.code }),
    ...(graph.requestId && { requestId: graph.requestId }),
    cause: error,
  };
  const refused = (kind: ProviderErrorKind) =>
    new ProviderError(kind, `Entra ID refused to ${action} (${describe(graph)}).`, details);

  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(graph.headers?.get("Retry-After"));
    const when =
      retryAfterSeconds === undefined
        ? "shortly"
        : `in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}`;
    return new ProviderError("throttled", `Entra ID is throttling AKS JIT and did not ${action}; try again ${when}.`, {
      ...details,
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    });
  }
  if (status <= 0 && graph.code && CREDENTIAL_ERRORS.has(graph.code) && /AADSTS\d+/.test(graph.message)) {
    // Entra answered the token request and said no (wrong secret, unknown app): retrying will not help.
    return new ProviderError(
      "forbidden",
      `AKS JIT could not sign in to Entra ID as the app to ${action}: ${graph.message}`,
      details,
    );
  }
  if (status <= 0) {
    return new ProviderError("transient", `Entra ID could not be reached to ${action} (${describe(graph)}).`, details);
  }
  if (status >= 500) {
    return new ProviderError(
      "transient",
      `Entra ID failed temporarily and did not ${action} (${describe(graph)}).`,
      details,
    );
  }
  if (graph.code === "RoleAssignmentRequestPolicyValidationFailed") {
    const failedRules = parseFailedRules(graph.message);
    const reason =
      failedRules.length > 0 ? `the following policy rules failed: ${failedRules.join(", ")}` : describe(graph);
    return new ProviderError("policy", `Entra ID refused to ${action}: ${reason}.`, { ...details, failedRules });
  }
  if (graph.code === "ActiveDurationTooShort") {
    // PIM keeps an assignment for a minimum time (lib/cloud/pim-rules.ts): not a failure, the removal
    // is done once it may be; the provider names the moment (notBefore) from the assignment's start.
    return new ProviderError(
      "too_soon",
      `Entra ID will not ${action} yet: PIM keeps an assignment for at least 5 minutes (${describe(graph)}).`,
      details,
    );
  }
  if (graph.code === "RoleAssignmentExists" || /added object references already exist/i.test(graph.message)) {
    return refused("conflict");
  }
  if (graph.code === "RoleAssignmentDoesNotExist") return refused("not_found");
  if (status === 403 && graph.code === "Authorization_RequestDenied" && permission) {
    return new ProviderError("forbidden", missingPermissionMessage(action, status, graph.code, permission), details);
  }
  if (status === 401 || status === 403) {
    const reason = status === 401 ? "it did not accept the app's token" : "the app's identity lacks a permission";
    return new ProviderError("forbidden", `Entra ID refused to ${action}: ${reason} (${describe(graph)}).`, details);
  }
  if (status === 404) return refused("not_found");
  if (status === 409) return refused("conflict");
  return refused("invalid");
}
