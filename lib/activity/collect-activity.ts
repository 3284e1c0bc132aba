import "server-only";
import { activityReadAt } from "./read-at";
import type { ProviderCall } from "@/lib/cloud/call-recorder";
import { findRole } from "@/lib/config/catalog-schema";
import { getCatalog } from "@/lib/config/catalog";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { addMinutes } from "@/lib/domain/duration";
import { findAuditWorkspace } from "./find-workspace";
import { listedQuery } from "./kql";
import { hasNodeAccess, readNodeSignIns } from "./node-sign-ins";
import { portalLogsLink } from "./portal-link";
import { queryActivity, type QueryStats } from "./query-activity";
import { summariseActivity, type SummaryInput } from "./summarise";
import { ACTIVITY_LISTED_CALLS, type ActivityProblem, type ActivitySummary } from "./types";

/*
 * Reads one request's activity: the window from its access period, the workspace, the audit-log
 * queries, the node sign-ins, and the pure summary. Changes nothing: the caller stores it
 * (store-activity.ts). Its ARM reads go to the logs and metrics, not the audit.
 */

export interface CollectedActivity {
  summary: ActivitySummary;
  stats: QueryStats & { armCalls: number; graphCalls: number };
}

/** The request as the activity reads it; null when its access never began. */
export async function loadActivitySubject(requestId: string) {
  const row = await db.accessRequest.findUnique({
    where: { id: requestId },
    select: {
      id: true,
      clusterName: true,
      roleName: true,
      status: true,
      activeFrom: true,
      activeUntil: true,
      requester: { select: { entraObjectId: true, userPrincipalName: true } },
    },
  });
  if (!row?.activeFrom || !row.activeUntil) return null;
  return { ...row, activeFrom: row.activeFrom, activeUntil: row.activeUntil };
}
export type ActivitySubject = NonNullable<Awaited<ReturnType<typeof loadActivitySubject>>>;

/**
 * The window: the access period, and the token lifetime after it (tokens issued before the end keep
 * working, https://learn.microsoft.com/entra/identity-platform/access-tokens#token-lifetime). While
 * that has not passed, up to `now`, and incomplete until the ingestion delay has passed too.
 */
export function activityWindow(subject: Pick<ActivitySubject, "activeFrom" | "activeUntil">, now: Date) {
  const accessEnd = subject.activeUntil;
  const tokensEnd = addMinutes(accessEnd, env.TOKEN_LIFETIME_MINUTES);
  const to = now < tokensEnd ? now : tokensEnd;
  const isComplete = now.getTime() >= activityReadAt(accessEnd).getTime();
  return { from: subject.activeFrom, accessEnd, to: to < subject.activeFrom ? subject.activeFrom : to, isComplete };
}

export async function collectActivity(
  subject: ActivitySubject,
  context: { correlationId: string; now: Date },
): Promise<CollectedActivity> {
  const { now } = context;
  const window = activityWindow(subject, now);
  const holder = { id: subject.requester.entraObjectId, userPrincipalName: subject.requester.userPrincipalName };
  const stats = { queries: 0, rowsReturned: 0, rowsScanned: 0, armCalls: 0, graphCalls: 0 };
  const onCalls = (calls: ProviderCall[]) => {
    stats.armCalls += calls.length;
  };
  const base = {
    requestId: subject.id,
    clusterName: subject.clusterName,
    holder,
    window,
    queriedAt: now,
    kubernetes: null,
    nodeSignIns: null,
  } satisfies Partial<SummaryInput>;
  const found = findRole(getCatalog(), subject.clusterName, subject.roleName);
  if (!found) {
    const problem: ActivityProblem = {
      code: "query-failed",
      message: `${subject.clusterName} (or its role ${subject.roleName}) is no longer in the access catalog, so where its audit logs are is not known.`,
      fix: "Add the cluster back to the catalog, or read its audit logs in the Azure portal.",
    };
    return { summary: summariseActivity({ ...base, problems: [problem] }), stats };
  }
  const problems: ActivityProblem[] = [];
  let kubernetes: SummaryInput["kubernetes"] = null;
  const workspace = await findAuditWorkspace(found.cluster, { correlationId: context.correlationId, onCalls });
  if (!workspace.isFound) problems.push(workspace.problem);
  else {
    const rows = await queryActivity({
      clusterId: found.cluster.resourceId,
      workspaceResourceId: workspace.workspaceResourceId,
      customerId: workspace.customerId,
      table: workspace.table,
      userPrincipalName: holder.userPrincipalName,
      objectId: holder.id,
      window,
    });
    Object.assign(stats, {
      queries: rows.stats.queries,
      rowsReturned: rows.stats.rowsReturned,
      rowsScanned: rows.stats.rowsScanned,
    });
    problems.push(...rows.problems);
    if (rows.failure) problems.push(rows.failure);
    else {
      const whole = listedQuery(
        { table: workspace.table, userPrincipalName: holder.userPrincipalName, objectId: holder.id, ...window },
        ACTIVITY_LISTED_CALLS,
      );
      kubernetes = {
        table: workspace.table,
        workspaceResourceId: workspace.workspaceResourceId,
        workspaceId: workspace.customerId,
        queries: rows.queries,
        portalLink: portalLogsLink({
          tenantId: env.ENTRA_TENANT_ID,
          workspaceResourceId: workspace.workspaceResourceId,
          query: whole,
          from: window.from,
          to: window.to,
        }),
        counts: rows.counts,
        listed: rows.listed,
        isListTruncated: rows.isListTruncated,
      };
    }
  }
  let nodeSignIns: SummaryInput["nodeSignIns"] = null;
  if (hasNodeAccess(found.role)) {
    stats.graphCalls += 1;
    const answer = await readNodeSignIns(holder.id, window);
    if ("problem" in answer) problems.push(answer.problem);
    else nodeSignIns = { query: answer.query, items: answer.items };
  }
  return { summary: summariseActivity({ ...base, kubernetes, nodeSignIns, problems }), stats };
}
