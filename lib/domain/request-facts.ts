/**
 * Facts of a request in words, as its page states them: how long the access lasts in all, whether
 * an access period is worth showing at all, and what to do after a failed activation. Pure.
 */
import { describeDuration } from "./duration";
import { hasFailed, type RequestStatus } from "./request-status";

/** "2 h (extended from 1 h)": the total after extensions, and what was asked for when it moved. */
export function describeTotalDuration(requestedMinutes: number, extensionMinutes: readonly number[]): string {
  const extra = extensionMinutes.reduce((sum, minutes) => sum + minutes, 0);
  if (extra <= 0) return describeDuration(requestedMinutes);
  return `${describeDuration(requestedMinutes + extra)} (extended from ${describeDuration(requestedMinutes)})`;
}

/**
 * Whether the request ever gave access, so that an access period and the token lifetime mean
 * something: a failed activation removed whatever it had applied, so nothing was granted.
 */
export const hasGrantedAccess = (status: RequestStatus, activeFrom: string | Date | null) =>
  activeFrom !== null && !hasFailed(status);

/** What the person reading a failed request can do next. */
export function failureNextStep(viewer: { isRequester: boolean; canRetry: boolean }): string {
  if (viewer.canRetry)
    return "Retry the activation below once the cause is fixed; the requester is told of the outcome.";
  if (viewer.isRequester) {
    return "Try again: file the request again, or ask a platform admin to retry this one once the cause is fixed. If it keeps failing, contact your platform admins with the reason above.";
  }
  return "A platform admin can retry the activation once the cause is fixed; the requester may also file it again.";
}
