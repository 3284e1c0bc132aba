import "server-only";
import { authorize } from "@/lib/auth/authorize";
import { readGroupMemberships } from "@/lib/cloud/group-members";
import { approverCoverage, coverageGroupIds, type CoverageWarning } from "@/lib/config/approver-coverage";
import { getCatalog } from "@/lib/config/catalog";
import type { Catalog } from "@/lib/config/catalog-schema";
import { env } from "@/lib/config/env";
import type { SessionUser } from "@/lib/context";
import { log } from "@/lib/log";

export interface ApproverCoverageView {
  /** when the members were read from Entra ID */
  checkedAt: string;
  warnings: CoverageWarning[];
  /** set when Graph could not be read at all; the warnings are then empty, not "all clear" */
  failure?: string;
}

/**
 * Members change slowly and every admin page view would otherwise read each catalog group through
 * Graph: the answer is kept this long per process (and per catalog), then read again.
 */
export const COVERAGE_TTL_MS = 60_000;

let cached: { at: number; catalog: Catalog; view: Promise<ApproverCoverageView> } | undefined;

/**
 * Approver coverage for the Admin page: the rules of `npm run catalog:check -- --live`
 * (lib/config/approver-coverage.ts) on the members Entra ID reports now.
 */
export async function approverCoverageView(viewer: SessionUser, now = new Date()): Promise<ApproverCoverageView> {
  authorize(viewer, "catalog.admin");
  const catalog = getCatalog();
  if (!cached || cached.catalog !== catalog || now.getTime() - cached.at >= COVERAGE_TTL_MS) {
    const view = readCoverage(catalog, now);
    cached = { at: now.getTime(), catalog, view };
    // A failed read is not kept: the next view tries again.
    void view.then(({ failure }) => {
      if (failure && cached?.view === view) cached = undefined;
    });
  }
  return cached.view;
}

async function readCoverage(catalog: Catalog, now: Date): Promise<ApproverCoverageView> {
  const checkedAt = now.toISOString();
  const settings = { auditorGroupIds: env.AUDITOR_GROUP_IDS, approverRoleGroupIds: env.APPROVER_GROUP_IDS };
  try {
    const groups = await readGroupMemberships(coverageGroupIds({ clusters: catalog.clusters, ...settings }));
    return {
      checkedAt,
      warnings: approverCoverage({ clusters: catalog.clusters, file: catalog.file, groups, ...settings }),
    };
  } catch (error) {
    // Each group's failure is a warning of its own; this is the credential or client failing outright.
    log.warn({ err: error }, "approver coverage: cannot read group members");
    return { checkedAt, warnings: [], failure: "The groups' members could not be read from Microsoft Graph just now." };
  }
}
