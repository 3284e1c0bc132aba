import { isCountedSensitive, isDeniedCode, isSecretRead, sensitiveKinds } from "./classify";
import type { CountRow, GraphSignIn, ListedRow } from "./rows";
import { compareListed, countKey, rowsHash } from "./rows-hash";
import {
  ACTIVITY_LISTED_CALLS,
  type ActivityProblem,
  type ActivitySummary,
  type AuditTable,
  type KubernetesCall,
  type NodeSignIn,
} from "./types";

/*
 * The summary of a holder's activity from the rows Log Analytics and Graph answered: pure, with the
 * time and the rows passed in (summarise.test.ts is table-driven). The counts cover every call; the
 * listed calls are the sensitive, denied and after-the-end ones one by one.
 */

export interface SummaryInput {
  requestId: string;
  clusterName: string;
  holder: { id: string; userPrincipalName: string };
  window: { from: Date; accessEnd: Date; to: Date; isComplete: boolean };
  queriedAt: Date;
  /** null when the audit logs could not be read at all (the reason is among `problems`) */
  kubernetes: {
    table: AuditTable;
    workspaceResourceId: string;
    workspaceId: string;
    queries: Array<{ text: string; timespan: string }>;
    portalLink: string;
    /** every slice's rows, as answered */
    counts: CountRow[];
    listed: ListedRow[];
    /** the listed query stopped before the end of the window */
    isListTruncated: boolean;
  } | null;
  /** null when the role gives no node access, or Graph refused (see `problems`) */
  nodeSignIns: { query: string; items: GraphSignIn[] } | null;
  problems: ActivityProblem[];
}

export function summariseActivity(input: SummaryInput): ActivitySummary {
  const { window } = input;
  return {
    format: "aks-jit-activity/1",
    requestId: input.requestId,
    clusterName: input.clusterName,
    holder: input.holder,
    window: {
      from: window.from.toISOString(),
      accessEnd: window.accessEnd.toISOString(),
      to: window.to.toISOString(),
      isComplete: window.isComplete,
    },
    queriedAt: input.queriedAt.toISOString(),
    status: input.kubernetes ? "summarised" : "unavailable",
    problems: input.problems,
    kubernetes: input.kubernetes && summariseKubernetes(input.kubernetes, window.accessEnd),
    nodeSignIns: input.nodeSignIns && summariseSignIns(input.nodeSignIns, window.accessEnd),
  };
}

type KubernetesInput = NonNullable<SummaryInput["kubernetes"]>;

function summariseKubernetes(input: KubernetesInput, accessEnd: Date): NonNullable<ActivitySummary["kubernetes"]> {
  const counts = mergeCounts(input.counts);
  const allListed = [...input.listed].sort(compareListed);
  const listed = allListed.slice(0, ACTIVITY_LISTED_CALLS).map((row) => listedCall(row, accessEnd));
  const sum = (keep: (row: CountRow) => boolean) => counts.filter(keep).reduce((n, row) => n + row.calls, 0);
  // countsQuery has no name to tell a node-debugger pod from another pod create: those come from the list.
  const nodeDebugOnly = listed.filter((call) => call.kinds.length === 1 && call.kinds[0] === "node-debug").length;
  return {
    table: input.table,
    workspaceResourceId: input.workspaceResourceId,
    workspaceId: input.workspaceId,
    queries: input.queries,
    portalLink: input.portalLink,
    rowsHash: rowsHash(counts, allListed),
    rowsReturned: input.counts.length + input.listed.length,
    totalCalls: sum(() => true),
    deniedCalls: sum((row) => isDeniedCode(row.code)),
    afterEndCalls: sum((row) => row.afterEnd),
    sensitiveCalls: sum(isCountedSensitive) + nodeDebugOnly,
    secretReads: sum(isSecretRead),
    byVerb: tally(counts, (row) => row.verb),
    byResource: tally(counts, (row) => (row.subresource ? `${row.resource}/${row.subresource}` : row.resource)),
    byNamespace: tally(counts, (row) => row.namespace),
    listed,
    isListTruncated: input.isListTruncated || allListed.length > ACTIVITY_LISTED_CALLS,
    // AKSAuditAdmin leaves out get and list (https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs).
    hasReads: input.table === "AKSAudit",
  };
}

/** The same group may come from several slices: one row per group, its calls summed. */
export function mergeCounts(rows: readonly CountRow[]): CountRow[] {
  const merged = new Map<string, CountRow>();
  for (const row of rows) {
    const key = countKey(row);
    const seen = merged.get(key);
    if (seen) seen.calls += row.calls;
    else merged.set(key, { ...row });
  }
  return [...merged.values()];
}

/** Counts by key, most first, then by key. */
function tally(rows: readonly CountRow[], keyOf: (row: CountRow) => string) {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(keyOf(row), (counts.get(keyOf(row)) ?? 0) + row.calls);
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function listedCall(row: ListedRow, accessEnd: Date): KubernetesCall {
  return {
    ...row,
    kinds: sensitiveKinds(row),
    isDenied: isDeniedCode(row.code),
    isAfterEnd: new Date(row.at).getTime() >= accessEnd.getTime(),
  };
}

function summariseSignIns(input: { query: string; items: GraphSignIn[] }, accessEnd: Date) {
  const items: NodeSignIn[] = [...input.items]
    .sort((a, b) => (a.createdDateTime < b.createdDateTime ? -1 : a.createdDateTime > b.createdDateTime ? 1 : 0))
    .map((item) => ({
      id: item.id,
      at: new Date(item.createdDateTime).toISOString(),
      appDisplayName: item.appDisplayName ?? "",
      resourceDisplayName: item.resourceDisplayName ?? "",
      ipAddress: item.ipAddress ?? "",
      errorCode: item.status?.errorCode ?? 0,
      failureReason: item.status?.failureReason ?? null,
      isAfterEnd: new Date(item.createdDateTime).getTime() >= accessEnd.getTime(),
    }));
  return { query: input.query, total: items.length, afterEnd: items.filter((i) => i.isAfterEnd).length, items };
}
