/* The names the Log Analytics emulator's modules share: its audit tables, the AKS user value of the
 * User column, and a cluster as rows name it. */

export const AUDIT_TABLE_NAMES = ["AKSAudit", "AKSAuditAdmin"] as const;
export type AuditTableName = (typeof AUDIT_TABLE_NAMES)[number];

/** The AKS user value of the User column: a dictionary entry, shared by all its rows. */
export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** A cluster, as the rows name it (_ResourceId, _SubscriptionId). */
export interface ClusterRef {
  name: string;
  resourceId: string;
  subscriptionId: string;
}
