/**
 * The closed list of audit event types and the shape of their `data`. Stored as JSON in
 * audit_events.data: change a shape only by adding optional fields, never by renaming, because
 * recorded events are never rewritten.
 */
import type { Authentication } from "@/lib/auth/authentication";
import type { StepUpFacts } from "@/lib/auth/step-up-rule";
import type { ProviderCall, ProviderOperation } from "@/lib/cloud/call-recorder";
import type { RequestOrigin } from "@/lib/context";
import type { RequestEventType, RequestStatus } from "@/lib/domain/request-state";

/** Every request event: the state change, who caused it, and the policy that applied. */
export interface RequestAuditData extends RequestOrigin {
  from: RequestStatus | null;
  to: RequestStatus;
  /** "user", or "policy" (approved without a person) or "system" (timers, jobs) */
  actorKind: "user" | "policy" | "system";
  clusterName: string;
  roleName: string;
  /** how the acting person was authenticated (user actions) */
  authentication?: Authentication;
  /** the role's policy when the request was filed (on request.created) */
  policy?: unknown;
  /** the fresh sign-in that approving or break-glass needed (policy `stepUp`), as Entra ID stated it */
  stepUp?: StepUpFacts;
  [key: string]: unknown;
}

export type AuditEventData = {
  /** a person completed sign-in and a session was created */
  "session.signed_in": {
    roles: string[];
    groupCount: number;
    groupsSource: "token" | "graph";
    userAgent?: string;
    /** the client's IP address (lib/http/client-ip.ts), null when it could not be known */
    ip?: string | null;
    /** the ID token's auth_time (ISO) and amr */
    authTime?: string | null;
    authMethods?: string[];
  };
  /** a person signed out (their session ended at their request) */
  "session.signed_out": { sessionAgeSeconds: number };
  /** one HTTP attempt at Graph or ARM while granting, extending, removing or checking access */
  "provider.call": ProviderCall & { grantKind: string; operation: ProviderOperation };
  /**
   * PIM refused to remove a grant's assignment this soon (ActiveDurationTooShort): it is removed at
   * `notBefore`, the assignment's start plus PIM's minimum, by a job queued for then
   */
  "access.removal_deferred": { grantId: string; grantKind: string; notBefore: string; reason: string };
  /** the reconciler found access at a service that no grant explains, or a grant whose access is gone */
  "drift.detected": DriftAuditData;
  /** an admin removed unexplained access */
  "drift.removed": DriftAuditData & RequestOrigin;
  /** an admin applied a missing grant again */
  "drift.reapplied": DriftAuditData & RequestOrigin;
  /** an auditor or admin verified the audit chain (from the Audit page or the API), or the daily schedule did */
  "audit.verified": {
    events: number;
    isIntact: boolean;
    brokenSeq: string | null;
    lastSeq: string | null;
    lastHash: string | null;
    channel?: "web" | "api" | "schedule";
  };
  /** an auditor or admin exported a search (CSV or JSON Lines) or a request's evidence pack */
  "audit.exported": {
    what: "search" | "evidence";
    format: "csv" | "jsonl" | "json";
    filters?: Record<string, unknown>;
    requestId?: string;
    channel?: "web" | "api";
  };
  /** old audit history was removed under the retention procedure; the signed checkpoint keeps the chain verifiable */
  "audit.retained": {
    checkpointId: string;
    throughSeq: string;
    throughHash: string;
    removedEvents: number;
    olderThan: string;
    keyId: string;
  };
  /** an admin ran a failed background job again */
  "job.retried": { queue: string; jobId: string } & RequestOrigin;
  /**
   * someone tried something privileged their roles or groups do not allow (lib/auth/refusals.ts); at
   * most one per person, kind and permission a minute, so that repeated attempts cannot flood the chain
   */
  "access.refused": {
    kind: RefusalKind;
    /** the permission they lacked */
    permission: string;
    /** why, for the auditor */
    reason: string;
    /** the page they tried to open */
    path?: string;
  } & RequestOrigin;
  /**
   * one cluster's part of a reconcile pass, summed up: what was read, what it found, what could not
   * be read and why (the reads themselves go to the logs and metrics, not the audit)
   */
  "drift.reconciled": ReconcileSummary;
  /** an admin asked for a drift check now ("Check now") rather than at the next scheduled run, and what it found */
  "drift.checked": {
    bindings: number;
    open: number;
    skipped: number;
    clusters?: number;
    passId?: string;
  } & RequestOrigin;
  /**
   * a catalog cluster's posture (lib/posture/) differs from the last one read: the first read, a
   * setting turned on or off (e.g. "local accounts turned on"), a finding opened or closed. Holds the
   * facts and findings now, so that the posture at any moment (a grant's evidence) is the last of
   * these before it.
   */
  "posture.changed": PostureChange;
  /** an admin asked for a posture check of every cluster now ("Check now"), and what it found */
  "posture.checked": { clusters: number; changed: number; failed: number } & RequestOrigin;
  /**
   * what a request's holder did with it (lib/activity/): their Kubernetes calls from the cluster's audit
   * logs and their node sign-ins, summarised after the access ended (the job: actorKind "system") or
   * when an auditor or admin asked (actorKind "user"); or why that could not be read. The rest of the
   * data is the ActivitySummary (lib/activity/types.ts, format "aks-jit-activity/1") as it was stored.
   */
  "activity.summarised": ActivitySummarisedData;
  /**
   * an approver or auditor reviewed break-glass access afterwards, with a note; where the request owed
   * its ticket, the late ticket or why none exists
   */
  "break_glass.reviewed": {
    clusterName: string;
    roleName: string;
    note: string;
    ticket: string | null;
    noTicketReason: string | null;
    wasTicketOwed: boolean;
    /** when the review was due (policy `breakGlass.reviewWithin`), and whether it came later */
    dueAt: string;
    wasOverdue: boolean;
    authentication?: Authentication;
  } & RequestOrigin;
} & { [T in RequestEventType]: RequestAuditData };

/** One cluster's reconcile pass (`drift.reconciled`). */
export interface ReconcileSummary {
  cluster: string;
  /** the pass this cluster was part of: every cluster of a pass carries the same id */
  passId: string;
  /** the distinct bindings this cluster's pass covers, and how many of them were read */
  bindings: number;
  bindingsRead: number;
  /** assignments the services reported on the bindings read */
  assignmentsSeen: number;
  /** HTTP calls made, retries included, and how many of them the service throttled (429) */
  calls: { graph: number; arm: number; throttled: number };
  findings: {
    opened: number;
    /** closed as "gone": no longer seen on a binding that was read */
    closed: number;
    /** open before, seen again */
    stillOpen: number;
    /** open findings on bindings that could not be read, kept as they were */
    kept: number;
  };
  /** bindings that could not be read, and why */
  failures: Array<{ bindingKey: string; grantKind: string; reason: string }>;
}

/** `activity.summarised`: an ActivitySummary (lib/activity/types.ts, below the audit writer as JSON) and who asked. */
export interface ActivitySummarisedData extends RequestOrigin {
  format: "aks-jit-activity/1";
  requestId: string;
  clusterName: string;
  status: "summarised" | "unavailable";
  actorKind: "user" | "system";
  [key: string]: unknown;
}

/** One cluster's posture change (`posture.changed`); facts and findings as lib/posture/types.ts shapes them. */
export interface PostureChange {
  clusterName: string;
  /** what changed, in words: "first read", "local accounts turned on", "finding opened: api-server-open" */
  changes: string[];
  /** ClusterFacts now */
  facts: Record<string, unknown>;
  /** PostureFinding[] now */
  findings: Array<{ code: string; severity: string; title: string; allows: string; fix: string }>;
  /** StandingAccess when known (the evidence pack shows it at the time of a grant), else null */
  standing: Record<string, unknown> | null;
}

/** What a refused privileged attempt was (`access.refused`). */
export type RefusalKind =
  | "page.open"
  | "break_glass.review"
  | "request.decide"
  | "request.revoke"
  | "request.retry"
  | "job.retry"
  | "drift.resolve"
  | "drift.check"
  | "posture.check"
  | "activity.check"
  | "audit.export";

export interface DriftAuditData {
  findingId: string;
  kind: string;
  bindingKey: string;
  principalId: string;
  grantId: string | null;
  providerId: string | null;
}

export type AuditEventType = keyof AuditEventData;

export type AuditEventInput = {
  [T in AuditEventType]: {
    type: T;
    actor: { id: string; userPrincipalName: string } | null;
    subjectId?: string;
    requestId?: string;
    correlationId?: string;
    data: AuditEventData[T];
    occurredAt: Date;
  };
}[AuditEventType];
