/*
 * The rows Log Analytics answers the app's two queries with (lib/activity/kql.ts), as the summariser
 * takes them: one shape per query, read from the response's columns by name (query-activity.ts).
 */

/** countsQuery: Verb, Resource, Subresource, Namespace, Code, AfterEnd, Calls. */
export interface CountRow {
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  code: number;
  afterEnd: boolean;
  calls: number;
}

/** listedQuery: TimeGenerated (ISO), Verb, RequestUri, Resource, Subresource, Namespace, Name, ApiGroup, Code, SourceIps, UserAgent. */
export interface ListedRow {
  at: string;
  verb: string;
  requestUri: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  apiGroup: string;
  code: number;
  sourceIps: string[];
  userAgent: string;
}

/** One sign-in as Graph's auditLogs/signIns returns it (the fields the summary keeps). */
export interface GraphSignIn {
  id: string;
  createdDateTime: string;
  appId?: string;
  /** the application signed in to: the Azure Linux VM Sign-In app for a node login */
  resourceId?: string;
  appDisplayName?: string | null;
  resourceDisplayName?: string | null;
  ipAddress?: string | null;
  status?: { errorCode?: number | null; failureReason?: string | null } | null;
}
