/**
 * The job queues and what their jobs carry. Jobs are keyed by request: a handler may run twice
 * (retries, two instances) and must be idempotent.
 */
export const QUEUES = {
  /** apply an approved request's grants in Entra ID / ARM */
  activate: "activate",
  /** activations that failed every retry: the request becomes `failed` */
  activateFailed: "activate-failed",
  /** end requests and remove grants whose end has passed (every minute) */
  expireAccess: "expire-access",
  /** time out pending requests nobody decided in time (every minute) */
  timeOutRequests: "time-out-requests",
} as const;

export interface ActivateJob {
  requestId: string;
}
