import { z } from "zod";

/**
 * The job queues and what their jobs carry. Jobs are keyed by request or grant: a handler may run
 * twice (retries, two instances, a process that died mid-job) and must be idempotent.
 */
export const QUEUES = {
  /** apply an approved request's grants in Entra ID / ARM */
  activate: "activate",
  /** activations that failed every retry: the request becomes `failed` */
  activateFailed: "activate-failed",
  /** remove grants that ended early (the holder ended them, an admin revoked them), and sign-in sessions */
  deactivate: "deactivate",
  /** move the end of a request's grants out at the services (PIM) after an extension */
  extend: "extend",
  /** end requests and remove grants whose end has passed (every minute, and at each grant's end) */
  expireAccess: "expire-access",
  /** time out pending requests nobody decided in time (every minute) */
  timeOutRequests: "time-out-requests",
  /** compare the assignments in Entra ID and Azure with the grant ledger, and record drift */
  reconcile: "reconcile",
  /** one cluster's part of a reconcile pass: read its bindings, record its drift and its summary, check its posture */
  reconcileCluster: "reconcile-cluster",
  /** turn one notification event into in-app notifications and delivery jobs (reads recipients from Graph) */
  notify: "notify",
  /** send one notification: an email to one person, or a post to one Teams or Slack webhook */
  notifyDeliver: "notify-deliver",
  /** remind approvers of pending requests, and escalate them (every minute) */
  notifyFollowUp: "notify-follow-up",
  /** tell the holder their access ends soon (queued for shortly before each access period's end) */
  notifyEndingSoon: "notify-ending-soon",
  /** check every link of the audit chain (daily), so that tampering is found without anyone asking */
  verifyAudit: "verify-audit",
  /**
   * read what a holder did with their access from the cluster's audit logs and Entra's sign-in logs,
   * once the access has ended and the tokens issued before it have run out (lib/activity/)
   */
  summariseActivity: "summarise-activity",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** What a job of an access queue carries, parsed when a worker takes it (lib/jobs/start-jobs.ts). */
export const ZActivateJob = z.object({ requestId: z.guid() });
export type ActivateJob = z.output<typeof ZActivateJob>;

export const ZDeactivateJob = z.object({
  requestId: z.guid(),
  /** grants the request alone covered, now due for removal */
  grantIds: z.array(z.guid()),
  /** also revoke the holder's Entra sign-in sessions (the role's policy, or the admin's choice) */
  revokeSessionsOf: z.string().nullable(),
});
export type DeactivateJob = z.output<typeof ZDeactivateJob>;

export const ZExtendJob = z.object({ requestId: z.guid() });
export type ExtendJob = z.output<typeof ZExtendJob>;

/** One cluster's part of a reconcile pass (lib/access/reconcile-access.ts). */
export const ZReconcileClusterJob = z.object({
  cluster: z.string().min(1),
  passId: z.guid(),
  correlationId: z.string().min(1),
});
export type ReconcileClusterJob = z.output<typeof ZReconcileClusterJob>;

/** Summarise one request's activity (lib/activity/summarise-activity.ts): keyed by request, idempotent. */
export const ZSummariseActivityJob = z.object({ requestId: z.guid() });
export type SummariseActivityJob = z.output<typeof ZSummariseActivityJob>;
