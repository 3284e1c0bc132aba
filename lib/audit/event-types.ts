/** Every audit event type, as a list: for the search's `type` filter and the API's AuditEvent. */
import { REQUEST_EVENT_TYPES } from "@/lib/domain/request-state";
import type { AuditEventType } from "./events";

export const AUDIT_EVENT_TYPES = [
  ...REQUEST_EVENT_TYPES,
  "session.signed_in",
  "session.signed_out",
  "provider.call",
  "access.removal_deferred",
  "drift.detected",
  "drift.removed",
  "drift.reapplied",
  "audit.verified",
  "audit.exported",
  "audit.retained",
  "job.retried",
  "access.refused",
  "drift.checked",
  "drift.reconciled",
  "break_glass.reviewed",
  "posture.changed",
  "posture.checked",
  "activity.summarised",
] as const satisfies readonly AuditEventType[];

// A type added to events.ts fails to compile here until it is listed, so that it can be searched for.
type Unlisted = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
const _isEveryTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;
