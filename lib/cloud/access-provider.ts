/**
 * One small interface in front of Entra ID and ARM: how a catalog grant is applied, extended,
 * removed and read for one person. One implementation per grant kind (lib/cloud/providers/*).
 * Every method is idempotent: applying what is already there, or removing what is already gone,
 * succeeds without creating a duplicate. SDK errors become ProviderError, so the job layer can
 * decide to retry (throttled, transient), give up (policy, invalid, forbidden) or move on.
 */
import type { CatalogCluster, CatalogRole, Grant } from "@/lib/config/catalog-schema";

export interface GrantTarget {
  /** Entra object id of the person who gets the access */
  principalId: string;
  grant: Grant;
  /** ARM id of the cluster, and of its node resource group: the two scopes a grant may use */
  clusterResourceId: string;
  nodeResourceGroupId: string;
}

export interface GrantWindow {
  startAt: Date;
  endAt: Date;
  justification: string;
  ticket?: string;
  /** the AKS JIT request this is for: recorded with the provider call, used to name it */
  requestId: string;
}

export interface ProviderResult {
  /** the provider's id for the call (schedule request id, role assignment id), for the audit */
  providerRequestId?: string;
  /** when the service itself will end the access (PIM), or null when our job must remove it */
  enforcedEndAt: Date | null;
}

export type GrantState = { isActive: false } | { isActive: true; endAt: Date | null; providerId?: string };

/** A grant's binding without the person: a group, or a role at a scope. What `list` reads. */
export type Binding = Omit<GrantTarget, "principalId">;

/** One person's current access on a binding, as the service reports it (for the drift check). */
export interface CurrentAssignment {
  principalId: string;
  /** null: permanent (standing) access */
  endAt: Date | null;
  /** the service's id for it (assignment instance or role assignment id) */
  providerId?: string;
}

export interface AccessProvider {
  readonly kind: Grant["kind"];
  apply(target: GrantTarget, window: GrantWindow): Promise<ProviderResult>;
  extend(target: GrantTarget, window: GrantWindow): Promise<ProviderResult>;
  remove(target: GrantTarget, context: { requestId: string; justification: string }): Promise<ProviderResult>;
  read(target: GrantTarget): Promise<GrantState>;
  /** Everyone who currently has the binding's access directly (not inherited), permanent or time-bound. */
  list(binding: Binding): Promise<CurrentAssignment[]>;
}

export type ProviderErrorKind =
  /** 429: retry after `retryAfterSeconds` */
  | "throttled"
  /** 5xx, timeouts, dropped connections: retry with backoff */
  | "transient"
  /** the service's policy refused it (`failedRules`, e.g. ExpirationRule): retrying will not help */
  | "policy"
  /** a conflicting state the provider could not resolve itself */
  | "conflict"
  | "not_found"
  /** the app's identity lacks a permission */
  | "forbidden"
  /** a request the service considers malformed */
  | "invalid"
  /**
   * too soon: PIM keeps an assignment for a minimum time (ActiveDurationTooShort); the removal is
   * done at `notBefore`, not retried with backoff and not a failure
   */
  | "too_soon";

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterSeconds?: number;
  readonly failedRules: string[];
  readonly requestId?: string;
  /** for `too_soon`: the earliest moment the service allows the call */
  readonly notBefore?: Date;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    details: {
      status?: number;
      code?: string;
      retryAfterSeconds?: number;
      failedRules?: string[];
      requestId?: string;
      notBefore?: Date;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "ProviderError";
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.failedRules = details.failedRules ?? [];
    this.requestId = details.requestId;
    this.notBefore = details.notBefore;
  }

  get isRetryable() {
    return this.kind === "throttled" || this.kind === "transient";
  }
}

/** The ARM scope a grant applies to, without a leading slash duplicate. */
export function scopeOf(target: Binding) {
  if (target.grant.kind !== "armPim" && target.grant.kind !== "armRoleAssignment") {
    throw new Error(`${target.grant.kind} grants have no ARM scope`);
  }
  return target.grant.scope === "cluster" ? target.clusterResourceId : target.nodeResourceGroupId;
}

/** The targets of a role's grants for one person: what the activation job applies, one provider call each. */
export function grantTargets(
  cluster: Pick<CatalogCluster, "resourceId" | "subscriptionId" | "nodeResourceGroup">,
  role: Pick<CatalogRole, "grants">,
  principalId: string,
): GrantTarget[] {
  const nodeResourceGroupId = `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`;
  return role.grants.map((grant) => ({
    principalId,
    grant,
    clusterResourceId: cluster.resourceId,
    nodeResourceGroupId,
  }));
}
