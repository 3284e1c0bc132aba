/**
 * The closed list of audit event types and the shape of their `data`. Stored as JSON in
 * audit_events.data: change a shape only by adding optional fields, never by renaming, because
 * recorded events are never rewritten.
 */
export interface AuditEventData {
  /** a person completed sign-in and a session was created */
  "session.signed_in": { roles: string[]; groupCount: number; groupsSource: "token" | "graph"; userAgent?: string };
  /** a person signed out (their session ended at their request) */
  "session.signed_out": { sessionAgeSeconds: number };
}

export type AuditEventType = keyof AuditEventData;

export type AuditEventInput = {
  [T in AuditEventType]: {
    type: T;
    actor: { id: string; userPrincipalName: string } | null;
    subjectId?: string;
    data: AuditEventData[T];
    occurredAt: Date;
  };
}[AuditEventType];
