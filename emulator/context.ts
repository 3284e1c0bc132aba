import type { SeedCluster } from "./arm-seed";
import type { StateInspector } from "./state";
import type { Throttling } from "./throttling";
import type { SigningKey } from "./tokens";
import type { Tenant } from "./tenant";

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  authTime: number;
  sessionId: string;
  /** Conditional Access authentication contexts satisfied at this sign-in (`claims` → `acrs`) */
  acrs: string[];
  /** issued to a single-page application redirect URI: redeemed without a secret, cross-origin */
  isSpa: boolean;
  expiresAt: number;
  isRedeemed: boolean;
}

export interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
  authTime: number;
  sessionId: string;
  acrs: string[];
  isSpa: boolean;
}

/** A fault to inject into matching requests, `count` times (see POST /_emulator/faults). */
export interface Fault {
  id: string;
  /** a regular expression matched against the request's path and query */
  path: string;
  method?: string;
  count: number;
  /** answer with this status (429, 500, 503 ...) instead of serving the request */
  status?: number;
  /** seconds, sent as Retry-After with the status */
  retryAfter?: number;
  /** wait this long before answering (or before the fault's status) */
  latencyMs?: number;
  /** close the connection without answering */
  drop?: boolean;
  /**
   * Between 0 and 1: the fault meets a matching request only this often (a random 5% of 5xx is
   * `probability: 0.05`, with a large count); 1 when not given.
   */
  probability?: number;
  /**
   * Serve the request first (the assignment is made), then apply the latency or drop to the answer:
   * the caller's process can die, or lose the connection, after the change but before it hears of it.
   */
  afterHandling?: boolean;
}

/**
 * Rules of the real services that tests switch or tune (PUT /_emulator/settings). The defaults are
 * what Entra ID and Azure do, except the replication delays, which are 0 so that the demo is instant.
 */
export interface ServiceSettings {
  /**
   * PIM refuses to remove an assignment (Graph adminRemove/selfDeactivate, ARM AdminRemove/
   * SelfDeactivate) until it has been active this long: 400 ActiveDurationTooShort (contract A.8).
   */
  minimumActiveDurationSeconds: number;
  /** ARM answers PrincipalNotFound for a principal younger than this (Entra ID replication) */
  principalReplicationDelaySeconds: number;
  /** a new PIM for Groups assignment shows in assignmentScheduleInstances and the member list this late */
  pimReplicationDelaySeconds: number;
  /**
   * Log Analytics returns at most this many rows per query, then a partial error with the rows so far
   * ("Maximum number of records returned: 500,000": learn.microsoft.com/azure/azure-monitor/service-limits#log-queries-and-language).
   * Tests make it small.
   */
  logAnalyticsMaxRows: number;
  /** ... and at most this many bytes of rows ("Maximum size of data returned: ~104 MB" for the API, 64 MB
   * of compressed result in the engine's E_QUERY_RESULT_SET_TOO_LARGE; the emulator counts the JSON text) */
  logAnalyticsMaxBytes: number;
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = {
  minimumActiveDurationSeconds: 300,
  principalReplicationDelaySeconds: 0,
  pimReplicationDelaySeconds: 0,
  logAnalyticsMaxRows: 500_000,
  logAnalyticsMaxBytes: 64 * 1024 * 1024,
};

/** Someone was given a role at a scope (an ARM role assignment or PIM assignment the emulator made). */
export interface AccessGrant {
  principalId: string;
  scope: string;
  roleDefinitionId: string;
  start: Date;
  /** null: until removed */
  end: Date | null;
}

/** Everything the emulator's handlers share; one per running emulator. */
export interface EmulatorContext {
  baseUrl: string;
  tenant: Tenant;
  key: SigningKey;
  groupsOverageLimit: number;
  codes: Map<string, AuthorizationCode>;
  refreshTokens: Map<string, RefreshGrant>;
  /** the CA the emulator's certificate chains to: it fetches its own cluster issuer's keys over HTTPS */
  tlsCa?: string;
  /** injectable clock, so tests can age codes and tokens; includes clockOffsetMs */
  now: () => Date;
  /** how far tests moved the clock forward (PUT /_emulator/clock) */
  clockOffsetMs: number;
  settings: ServiceSettings;
  /** the AKS clusters ARM knows: the demo's, plus the scale seed's (emulator/scale-seed.ts); the demo's when unset */
  clusters?: SeedCluster[];
  faults: Fault[];
  /** each service module adds what it holds to GET /_emulator/state */
  inspectors: StateInspector[];
  /** Azure's throttling budgets (throttling.ts), off unless switched on */
  throttling: Throttling;
  /** told of each role assignment ARM callers make (the demo's activity plays a session on it) */
  accessListeners?: Array<(grant: AccessGrant) => void>;
}

/** Tells the listeners of a new assignment. */
export function notifyAccessGranted(ctx: EmulatorContext, grant: AccessGrant) {
  for (const listener of ctx.accessListeners ?? []) listener(grant);
}

export function issuerFor(ctx: EmulatorContext) {
  return `${ctx.baseUrl}/${ctx.tenant.id}/v2.0`;
}
