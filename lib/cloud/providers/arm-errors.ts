import "server-only";
import type { RestError } from "@azure/core-rest-pipeline";
import { type Binding, ProviderError, type ProviderErrorKind } from "@/lib/cloud/access-provider";
import { BUILT_IN_ROLE_NAMES } from "../built-in-roles";
import { PROVISIONER_ROLE } from "../required-permissions";

/**
 * ARM failures (a RestError from @azure/core-rest-pipeline, a dropped connection, a token the app
 * could not get) as a ProviderError the job layer can act on and a person can read. `action` is what
 * AKS JIT was doing, in words: "assign Azure Kubernetes Service RBAC Admin on aks-prod-weu".
 */
export function toProviderError(error: unknown, action: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (isRestError(error)) return fromRestError(error, action);
  if (isNamed(error, "AuthenticationError") || isNamed(error, "CredentialUnavailableError")) {
    const status = (error as { statusCode?: number }).statusCode;
    // A token endpoint that answers 5xx is down; any other refusal is the app's identity being wrong.
    if (status !== undefined && status >= 500) {
      return new ProviderError(
        "transient",
        `Azure sign-in is failing, so AKS JIT could not ${action}: ${detailOf(error)}`,
        {
          status,
          cause: error,
        },
      );
    }
    return new ProviderError(
      "forbidden",
      `AKS JIT could not sign in to Azure to ${action}: ${detailOf(error)}. Check the app's client id and secret.`,
      { status, cause: error },
    );
  }
  // Timeouts (AbortError), sockets closed by the other side, DNS hiccups, and anything unexpected:
  // a bounded retry costs little, and the job layer gives up after its attempts with this message.
  return new ProviderError("transient", `Azure could not be reached to ${action}: ${detailOf(error)}`, {
    code: (error as { code?: unknown } | null)?.code?.toString(),
    cause: error,
  });
}

/** The codes whose kind does not follow from the status: PIM answers 400 where RBAC answers 409 or 404. */
const KIND_BY_CODE = new Map<string, ProviderErrorKind>([
  ["RoleAssignmentExists", "conflict"],
  ["RoleAssignmentRequestExists", "conflict"],
  ["RoleAssignmentDoesNotExist", "not_found"],
  ["RoleAssignmentNotFound", "not_found"],
  ["RoleAssignmentRequestPolicyValidationFailed", "policy"],
]);

function fromRestError(error: RestError, action: string): ProviderError {
  const status = error.statusCode;
  const code = error.code;
  const headers = error.response?.headers;
  const requestId = headers?.get("x-ms-request-id") ?? headers?.get("x-ms-correlation-request-id") ?? undefined;
  const detail = detailOf(error);
  const details = { status, code, requestId, cause: error };

  if (status === 429) {
    const retryAfterSeconds = retryAfterOf(error);
    const when = retryAfterSeconds === undefined ? "" : ` (retry after ${retryAfterSeconds} s)`;
    return new ProviderError("throttled", `Azure is throttling AKS JIT, which could not ${action} yet${when}.`, {
      ...details,
      retryAfterSeconds,
    });
  }
  if (status === undefined || status >= 500 || status === 408) {
    return new ProviderError("transient", `Azure could not ${action} right now: ${detail}`, details);
  }
  if (code === "ActiveDurationTooShort") {
    // PIM keeps an assignment for a minimum time (lib/cloud/pim-rules.ts): not a failure, the removal
    // is done once it may be; the provider names the moment (notBefore) from the assignment's start.
    return new ProviderError(
      "too_soon",
      `Azure PIM will not ${action} yet: it keeps an assignment for at least 5 minutes (${detail}).`,
      details,
    );
  }
  if (code === "PrincipalNotFound") {
    // Usually Entra ID replication: a principal created moments ago is not in Azure RBAC yet
    // (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting). Retried with
    // backoff; a principal that really does not exist fails once the job's retries run out.
    return new ProviderError(
      "transient",
      `Azure does not know the person yet, so AKS JIT could not ${action}; Entra ID may still be replicating a new account, and it will be tried again: ${detail}`,
      details,
    );
  }
  const kind = (code && KIND_BY_CODE.get(code)) || kindOfStatus(status);
  if (kind === "policy") {
    const failedRules = failedRulesOf(detail);
    const reasons = failedRules.map((rule) => RULE_WORDS[rule] ?? rule).join("; ");
    return new ProviderError("policy", `Azure PIM refused to ${action}: ${reasons || detail}.`, {
      ...details,
      failedRules,
    });
  }
  if (status === 401) {
    return new ProviderError("forbidden", `Azure did not accept AKS JIT's sign-in to ${action}: ${detail}`, details);
  }
  if (kind === "forbidden") {
    // From the whole message: `detail` is cut at 300 characters, before ARM names the scope.
    const refused = code === "AuthorizationFailed" ? refusedActionOf(error.message) : undefined;
    if (refused) {
      // Azure RBAC names what the app lacks; the fix is the role the README and Terraform create for it.
      return new ProviderError(
        "forbidden",
        `AKS JIT's app identity is not allowed to ${action}: Azure RBAC refused '${refused.action}' over ${refused.scope}. Give the app's service principal the custom role "${PROVISIONER_ROLE.roleName}" (or a role that includes ${refused.action}) on that scope.`,
        details,
      );
    }
    return new ProviderError(
      "forbidden",
      `AKS JIT's app identity is not allowed to ${action}; it needs the role "${PROVISIONER_ROLE.roleName}" there: ${detail}`,
      details,
    );
  }
  return new ProviderError(kind, `Azure refused to ${action}: ${detail}`, details);
}

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  return "invalid";
}

/**
 * The action and scope of ARM's AuthorizationFailed message ("... does not have authorization to perform
 * action '<action>' over scope '<scope>' or the scope is invalid ..."), the scope without its
 * `/providers/Microsoft.Authorization/...` tail.
 */
export function refusedActionOf(message: string): { action: string; scope: string } | undefined {
  const m = /perform action '([^']+)' over scope '([^']+)'/i.exec(message);
  if (!m) return undefined;
  const scope = m[2]!.replace(/\/providers\/Microsoft\.Authorization\/.*$/i, "") || "/";
  return { action: m[1]!, scope };
}

/** What PIM's rule names mean to the person who asked for access. */
const RULE_WORDS: Record<string, string> = {
  ExpirationRule: "the access would last longer than the role's PIM policy allows",
  JustificationRule: "the role's PIM policy requires a justification",
  TicketingRule: "the role's PIM policy requires ticket information",
  EligibilityRule: "the person is not eligible for the role in PIM",
  MfaRule: "the role's PIM policy requires multi-factor authentication",
  ApprovalRule: "the role's PIM policy requires an approval in Azure",
};

/** `The following policy rules failed: ["ExpirationRule","JustificationRule"]` → the rule names. */
export function failedRulesOf(message: string): string[] {
  const list = /policy rules failed:\s*(\[[^\]]*\])/i.exec(message)?.[1];
  if (!list) return [];
  try {
    const parsed: unknown = JSON.parse(list);
    if (Array.isArray(parsed)) return parsed.filter((rule): rule is string => typeof rule === "string");
  } catch {
    // Not JSON (e.g. single quotes): fall back to the words in the brackets.
  }
  return list.match(/\w+/g) ?? [];
}

/** Seconds from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or an HTTP date), as the SDK reads them. */
function retryAfterOf(error: RestError): number | undefined {
  const headers = error.response?.headers;
  if (!headers) return undefined;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const ms = Number(headers.get(name));
    if (headers.get(name) && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  }
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The service's own words, on one line. core-client puts ARM's `error.message` in the RestError's
 * message, but for a status the operation does not list it puts the raw body there instead.
 */
function detailOf(error: unknown): string {
  const parsed = (error as { response?: { parsedBody?: { error?: { message?: unknown } } } }).response?.parsedBody;
  let text = typeof parsed?.error?.message === "string" ? parsed.error.message : undefined;
  if (!text && error instanceof Error) {
    text = error.message;
    try {
      const body: unknown = JSON.parse(text);
      const inner = (body as { error?: { message?: unknown } } | null)?.error?.message;
      if (typeof inner === "string") text = inner;
    } catch {
      // Not a JSON body: the message is already prose.
    }
  }
  const line = (text ?? String(error)).replace(/\s+/g, " ").trim().replace(/\.$/, "");
  return line.length > 300 ? `${line.slice(0, 297)}...` : line || "no details given";
}

// Checked by name as well as by class: a second copy of core-rest-pipeline has its own RestError class.
function isRestError(error: unknown): error is RestError {
  return isNamed(error, "RestError");
}

function isNamed(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

/** "Azure Kubernetes Service RBAC Admin on aks-prod-weu": the grant in words, for error messages. */
export function describeArmGrant(target: Binding): string {
  const grant = target.grant;
  if (grant.kind !== "armPim" && grant.kind !== "armRoleAssignment") return grant.kind;
  const guid = grant.roleDefinitionId.toLowerCase();
  const role = BUILT_IN_ROLE_NAMES[guid] ?? `the role ${guid}`;
  const cluster = lastSegment(target.clusterResourceId);
  const where =
    grant.scope === "cluster"
      ? cluster
      : `the node resource group of ${cluster} (${lastSegment(target.nodeResourceGroupId)})`;
  return `${role} on ${where}`;
}

const lastSegment = (id: string) => id.replace(/\/+$/, "").split("/").pop() ?? id;
